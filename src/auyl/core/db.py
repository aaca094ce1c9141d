"""Database helpers shared by the apps."""

from __future__ import annotations

from django.db import connection


def refresh_planner_statistics() -> None:
    """Run ANALYZE on PostgreSQL (a no-op elsewhere).

    Call it after a bulk load: until autovacuum gets round to the new rows, PostgreSQL's
    planner believes the tables are empty and may choose a nested-loop plan that takes
    minutes instead of milliseconds.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
