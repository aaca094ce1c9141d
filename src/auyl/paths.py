"""Where Auyl keeps its data.

Every ``auyl`` command resolves one data directory, in this order:

1. ``--data-dir DIR`` on the command line (the CLI exports it as ``AUYL_DATA_DIR``);
2. the ``AUYL_DATA_DIR`` environment variable;
3. the default ``~/.local/share/auyl`` (``$XDG_DATA_HOME/auyl`` when that is set).

The directory holds the SQLite database (``auyl.sqlite3``), the embedded task queue
(``tasks.sqlite3``), uploaded files (``uploads/``) and collected static files (``static/``).
"""

from __future__ import annotations

import os
from pathlib import Path


def default_data_dir() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "auyl"


def data_dir() -> Path:
    """The data directory in force; created if missing."""
    configured = os.environ.get("AUYL_DATA_DIR")
    path = Path(configured).expanduser() if configured else default_data_dir()
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()
