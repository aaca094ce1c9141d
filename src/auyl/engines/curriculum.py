"""Weekly hours per subject per grade: a DEFAULT table that is an APPROXIMATION.

The national standard curriculum is MoES order No. 500 of 8 Nov 2012, whose annexes were
replaced by order No. 27 of 8 Feb 2024 (in force from 1 Sep 2024). Its weekly hours per
subject per grade were NOT obtained (``shared/domain/facts.md``), so :data:`DEFAULT` below is
an editable approximation, to be checked against those annexes before anyone relies on it.
Only two points come from the facts: grades run 1-11, and the foreign language starts in
grade 3. Grades 5-11 follow the approximation the demo generator uses to size staff, so
the two agree; grades 1-4 list what a primary class teacher teaches, plus English, physical
education and music.

To change the figures, edit :data:`DEFAULT_HOURS` (one row per subject, one number per
grade 1-11) or build your own :class:`Curriculum` and pass it to the functions that take
one. Subject codes are those of ``auyl.registry.subjects``.

Pure Python: no Django, no apps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

#: Grades the curriculum covers (grade 0, the pre-school class, has no subject timetable).
GRADES: tuple[int, ...] = tuple(range(1, 12))

SOURCE = (
    "APPROXIMATION, to be checked against the standard curriculum (MoES order No. 500, "
    "annexes replaced by order No. 27 of 8 Feb 2024): the official hours were not obtained."
)

#: Weekly hours of one class, per subject, for grades 1, 2, ..., 11 (APPROXIMATION).
DEFAULT_HOURS: Mapping[str, tuple[float, ...]] = MappingProxyType(
    {
        #                  1  2  3  4  5  6  7  8  9 10 11
        "literacy":       (6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        "kazakh":         (0, 4, 4, 4, 3, 3, 3, 3, 3, 2, 2),
        "kazakh_lit":     (0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2),
        "russian":        (0, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1),
        "russian_lit":    (0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1),
        "english":        (0, 0, 2, 2, 3, 3, 3, 3, 3, 3, 3),  # foreign language from grade 3
        "math":           (4, 4, 4, 4, 5, 5, 0, 0, 0, 0, 0),
        "algebra":        (0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3),
        "geometry":       (0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2),
        "natural_science": (1, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0),
        "physics":        (0, 0, 0, 0, 0, 0, 2, 2, 2, 3, 3),
        "chemistry":      (0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2),
        "biology":        (0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2),
        "geography":      (0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 2),
        "history_kz":     (0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 2),
        "world_history":  (0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1),
        "law":            (0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1),
        "informatics":    (0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2),
        "art":            (1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0),
        "music":          (1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0),
        "pe":             (3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2),
        "self_knowledge": (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
        "military":       (0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1),
    }
)  # fmt: skip

#: Primary grades: taught by a class teacher (except English, PE and music).
PRIMARY_GRADES: frozenset[int] = frozenset({1, 2, 3, 4})


@dataclass(frozen=True)
class Curriculum:
    """Weekly hours of one class per (subject, grade); absent pairs have 0 hours."""

    hours: Mapping[str, tuple[float, ...]] = field(default_factory=lambda: DEFAULT_HOURS)
    source: str = SOURCE

    def __post_init__(self) -> None:
        for subject, row in self.hours.items():
            if len(row) != len(GRADES):
                raise ValueError(
                    f"{subject}: {len(row)} figures, one per grade 1-11 expected ({len(GRADES)})"
                )
            if any(h < 0 for h in row):
                raise ValueError(f"{subject}: a negative number of hours")

    def hours_for(self, subject: str, grade: int) -> float:
        """Weekly hours of ``subject`` for one class of ``grade`` (0 outside grades 1-11)."""
        row = self.hours.get(subject)
        if row is None or grade not in GRADES:
            return 0.0
        return float(row[grade - 1])

    def subjects_for(self, grade: int) -> tuple[str, ...]:
        """Subjects taught in ``grade``, in the table's order."""
        return tuple(s for s in self.hours if self.hours_for(s, grade) > 0)

    def class_set_hours(self, subject: str, grades: tuple[int, ...] | list[int]) -> float:
        """Weekly hours of ``subject`` for a class-set: the grades of a combined class-set
        are taught together, so it needs the largest of its grades' hours."""
        return max((self.hours_for(subject, g) for g in grades), default=0.0)

    def week_total(self, grade: int) -> float:
        return sum(self.hours_for(s, grade) for s in self.hours)


DEFAULT = Curriculum()
