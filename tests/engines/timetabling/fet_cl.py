"""Run Debian's ``fet-cl`` on a file the engine wrote (tests that FET reads what we write)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

FET_CL = Path("/usr/bin/fet-cl")


def run_fet_cl(written: Path, out: Path) -> Path:
    """Solve ``written`` with fet-cl (10 s at most) into ``out``; its timetable file."""
    subprocess.run(
        [
            str(FET_CL),
            f"--inputfile={written}",
            f"--outputdir={out}",
            "--timelimitseconds=10",
            "--htmllevel=0",
        ],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        timeout=60,
        check=True,
    )
    (solved,) = out.glob("timetables/*/*_data_and_timetable.fet")
    return solved
