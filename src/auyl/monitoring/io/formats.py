"""The columns of the monitoring import files (documented in ``docs/monitoring.md``).

Item list (one row per item)::

    position,code,key,domain,max_score,anchor

Answers, **wide** (one row per pupil, one column per item, named by the item code)::

    pupil_id,school_code,class_set[,booklet],M4-01,M4-02,...

Answers, **long** (one row per pupil and item)::

    pupil_id,school_code,class_set[,booklet],item,answer

The ``booklet`` column is required exactly when the test has booklets.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from auyl.registry.io.datasets import Column, Dataset

WIDE, LONG = "wide", "long"
RAW, SCORED = "raw", "scored"
LAYOUT_CHOICES = [
    (WIDE, _("wide (a row per pupil)")),
    (LONG, _("long (a row per pupil and item)")),
]
ANSWER_CHOICES = [
    (RAW, _("answers, to score against the key")),
    (SCORED, _("scores already given")),
]

ITEMS = Dataset(
    name="items",
    label=_("Item list"),
    columns=(
        Column("position", _("Order of the item in the test: 1, 2, 3..."), "1"),
        Column("code", _("Item code; an anchor item keeps its code every year."), "M4-01"),
        Column("key", _("Correct answer (a letter or a number); empty for open items."), "B"),
        Column("domain", _("Content domain; may be empty."), "numbers"),
        Column(
            "max_score", _("Maximum score: 1 for right/wrong, 2 or more for partial credit."), "1"
        ),
        Column("anchor", _("Anchor item carried across years: yes or no."), "yes"),
    ),
)

_PUPIL = Column("pupil_id", _("The pupil's anonymous id, unique in the test."), "P-000123")
_SCHOOL = Column("school_code", _("Code of the pupil's school."), "ALG001")
_CLASS_SET = Column(
    "class_set", _("Name of the pupil's class-set at that school, e.g. 2+4; may be empty."), ""
)
_BOOKLET = Column("booklet", _("Code of the booklet the pupil got."), "A")


def responses_dataset(layout: str, item_codes: Sequence[str], *, booklets: bool) -> Dataset:
    """The columns an answers file of a test with these items must have."""
    head = (_PUPIL, _SCHOOL, _CLASS_SET, *((_BOOKLET,) if booklets else ()))
    if layout == LONG:
        tail: tuple[Column, ...] = (
            Column("item", _("Item code."), "M4-01"),
            Column("answer", _("The answer or score; empty if the pupil left it blank."), "B"),
        )
    else:
        tail = tuple(
            Column(code.lower(), _("Answer or score for this item; empty if blank."), "")
            for code in item_codes
        )
    return Dataset(name="responses", label=_("Answers"), columns=head + tail)
