"""Real schools' FET files (Debian's fet-data) import completely and validly.

The list is the benchmark's (``bench/timetable/instances.txt``): 27 schools from 4 to
1,596 activities that use only constraints Auyl supports, so ``strict=True`` reads them.
Skipped where fet-data is not installed, except on CI (``CI=true``), where that is a fault.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auyl.engines.timetabling.fet import read_fet
from auyl.engines.timetabling.validate import validate

EXAMPLES = Path("/usr/share/doc/fet-data/examples")
LIST = Path(__file__).parents[3] / "bench" / "timetable" / "instances.txt"
INSTANCES = [
    line.strip()
    for line in LIST.read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]

needs_fet_data = pytest.mark.skipif(
    not EXAMPLES.is_dir() and os.environ.get("CI") != "true",
    reason="Debian's fet-data is not installed",
)


def test_the_list_has_at_least_twenty_schools():
    assert len(INSTANCES) >= 20


@needs_fet_data
@pytest.mark.parametrize("instance", INSTANCES, ids=lambda p: Path(p).stem)
def test_a_real_school_imports_strictly_and_validly(instance):
    problem = read_fet(EXAMPLES / instance, strict=True)
    assert problem.activities
    assert problem.groups or problem.teachers
    assert validate(problem) == ()
