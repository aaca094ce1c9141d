"""Case-insensitive text search that works for Cyrillic on SQLite and PostgreSQL.

SQLite's LIKE and lower() fold ASCII letters only, so "кумсай" would not find "Кумсай".
On SQLite, Auyl registers a ``auyl_casefold`` SQL function (Python's ``str.casefold``) on
every connection; on PostgreSQL ``lower()`` already folds Cyrillic under a UTF-8 locale.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.signals import connection_created
from django.db.models import CharField, Func
from django.dispatch import receiver


def casefold(value: str | None) -> str | None:
    return value.casefold() if value is not None else None


@receiver(connection_created)
def _register_sqlite_casefold(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("auyl_casefold", 1, casefold, deterministic=True)


class Casefold(Func):
    """``LOWER(text)``, folding Cyrillic too on SQLite."""

    function = "LOWER"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="auyl_casefold", **extra)
