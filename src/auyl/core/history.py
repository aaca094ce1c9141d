"""Writing with an audit trail: every service records who made a change and why.

django-simple-history reads ``_history_user`` and ``_change_reason`` from the instance
when it saves or deletes; these helpers set both in one place for every app.
"""

from __future__ import annotations

from typing import Any

from auyl.accounts.scoping import AnyUser


def mark_change(instance: Any, by: AnyUser | None, reason: str) -> None:
    """Tell the history who (None for a script or anonymous caller) and why."""
    instance._history_user = by if by is not None and by.is_authenticated else None
    instance._change_reason = reason


def save_with_history(instance: Any, by: AnyUser, reason: str) -> None:
    """Validate (``full_clean``) and save, recording ``by`` and ``reason``."""
    instance.full_clean()
    mark_change(instance, by, reason)
    instance.save()


def delete_with_history(instance: Any, by: AnyUser, reason: str) -> None:
    mark_change(instance, by, reason)
    instance.delete()
