"""Writes of the readiness app. Each service checks the caller's right (audits: the
school's editors, :func:`auyl.accounts.scoping.ensure_can_edit`; norms and catalogue: region
administrators only), validates with ``full_clean`` before writing anything, and writes in
one transaction, so a refusal leaves nothing half-saved. Norms and catalogue keep an audit
history (django-simple-history) with the acting user and a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from auyl.accounts.models import Role
from auyl.accounts.scoping import AnyUser, ensure_can_edit, role_of
from auyl.core.history import mark_change
from auyl.engines import readiness as engine
from auyl.readiness.models import (
    DEFAULT_PRICES,
    DEVICE_KEYS,
    MAX_DEVICES,
    Audit,
    CatalogueItem,
    NormSet,
)
from auyl.registry.models import DeviceStock, Infrastructure, Region, School

#: The audit fields a form or an import sets (besides ``devices``).
AUDIT_FIELDS = (
    "internet_type",
    "internet_mbps",
    "reliability_pct",
    "electricity",
    "rooms",
    "rooms_with_panel",
    "computer_lab",
    "science_lab",
    "stem_lab",
    "offline_server",
    *Audit.LEVEL_FIELDS,
)


def can_edit_norms(user: AnyUser) -> bool:
    """Norms and the catalogue are the region's: region administrators edit them."""
    return role_of(user) is Role.REGION_ADMIN


def _ensure_can_edit_norms(user: AnyUser) -> None:
    if not can_edit_norms(user):
        raise PermissionDenied(_("Only a region administrator may change norms and prices."))


_history = mark_change


# --- Audits -------------------------------------------------------------------------------


def audit_prefill(school: School) -> tuple[dict[str, Any], dict[str, int], str]:
    """Initial values for a new draft: the latest submitted version if there is one (so a
    principal changes only what changed), else the registry's Infrastructure and
    DeviceStock (registry devices have no age: put under 4-7 years). Returns the fields,
    the device counts and where they came from ("audit vN" or "registry")."""
    latest = Audit.objects.filter(school=school, is_latest=True).first()
    if latest is not None:
        data = {f: getattr(latest, f) for f in AUDIT_FIELDS}
        return data, dict(latest.devices or {}), f"audit v{latest.version}"
    fields: dict[str, Any] = {}
    infrastructure = Infrastructure.objects.filter(school=school).first()
    if infrastructure is not None:
        fields = {
            "internet_type": infrastructure.internet_type,
            "internet_mbps": infrastructure.internet_mbps,
            "electricity": infrastructure.electricity,
            "rooms": infrastructure.rooms,
            "computer_lab": infrastructure.computer_lab,
            "science_lab": infrastructure.science_lab,
            "stem_lab": infrastructure.stem_lab,
        }
    devices: dict[str, int] = {}
    for stock in DeviceStock.objects.filter(school=school):
        key = f"{stock.kind}:4_7:{stock.condition}"
        devices[key] = devices.get(key, 0) + stock.count
    return fields, devices, "registry"


def _clean_devices(devices: Mapping[str, int | None]) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, count in devices.items():
        if key not in DEVICE_KEYS:
            raise ValidationError(_("Unknown device line %(key)s.") % {"key": key})
        count = count or 0
        if count < 0:
            raise ValidationError(_("A device count cannot be negative."))
        if count > MAX_DEVICES:
            raise ValidationError(
                _("%(count)s devices of one kind is not plausible for a school (at most %(max)s).")
                % {"count": count, "max": MAX_DEVICES}
            )
        if count:
            out[key] = int(count)
    return out


def _draft_for_update(school: School, by: AnyUser) -> Audit:
    draft = Audit.objects.select_for_update().filter(school=school, status="draft").first()
    if draft is None:
        _data, _devices, source = audit_prefill(school)
        creator: Any = by if by.is_authenticated else None
        draft = Audit(school=school, created_by=creator, prefilled_from=source)
    return draft


@transaction.atomic
def audit_draft_save(
    *, school: School, data: Mapping[str, Any], devices: Mapping[str, int | None], by: AnyUser
) -> Audit:
    """Save the school's draft (creating it if needed). Gaps are allowed; counts must be in
    range and the internet line consistent."""
    ensure_can_edit(by, school)
    unknown = set(data) - set(AUDIT_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown audit fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    draft = _draft_for_update(school, by)
    for name, value in data.items():
        setattr(draft, name, value)
    draft.devices = _clean_devices(devices)
    if by.is_authenticated and draft.created_by_id is None:
        draft.created_by = cast(Any, by)
    draft.full_clean()
    draft.save()
    return draft


@transaction.atomic
def audit_submit(*, school: School, by: AnyUser, when: Any = None) -> Audit:
    """Make the school's draft the next numbered version, the one that counts from now on.

    Refused (nothing written) when the draft is incomplete or inconsistent."""
    ensure_can_edit(by, school)
    draft = Audit.objects.select_for_update().filter(school=school, status="draft").first()
    if draft is None:
        raise ValidationError(_("There is no draft audit to submit."))
    draft.full_clean()
    problems = draft.submission_problems()
    if problems:
        raise ValidationError(problems)
    last = Audit.objects.filter(school=school, status="submitted").aggregate(v=Max("version"))["v"]
    Audit.objects.filter(school=school, is_latest=True).update(is_latest=False)
    draft.status = Audit.Status.SUBMITTED
    draft.version = (last or 0) + 1
    draft.is_latest = True
    draft.submitted_at = when or timezone.now()
    draft.submitted_by = cast(Any, by) if by.is_authenticated else None
    draft.save()
    _record_index(school, draft)
    return draft


def _record_index(school: School, audit: Audit) -> None:
    from auyl.readiness.selectors import school_row

    index = school_row(school, ranked=False).index
    Audit.objects.filter(pk=audit.pk).update(index_at_submit=index)
    audit.index_at_submit = index


@transaction.atomic
def audit_save_and_submit(
    *, school: School, data: Mapping[str, Any], devices: Mapping[str, int | None], by: AnyUser
) -> Audit:
    """Save the draft and submit it, or (if it cannot be submitted) write nothing at all."""
    audit_draft_save(school=school, data=data, devices=devices, by=by)
    return audit_submit(school=school, by=by)


@transaction.atomic
def audit_discard(*, school: School, by: AnyUser) -> None:
    """Throw away the school's draft; submitted versions stay."""
    ensure_can_edit(by, school)
    Audit.objects.filter(school=school, status="draft").delete()


# --- Norms and catalogue ------------------------------------------------------------------


@transaction.atomic
def norms_update(*, region: Region, data: Mapping[str, Any], by: AnyUser) -> NormSet:
    """Change the region's norms; refused when they contradict each other."""
    _ensure_can_edit_norms(by)
    norms = NormSet.objects.select_for_update().filter(region=region).first()
    norms = norms or NormSet(region=region)
    for name, value in data.items():
        if name not in NormSet.EDITABLE:
            raise ValidationError(_("Unknown norm: %(name)s.") % {"name": name})
        setattr(norms, name, value)
    norms.full_clean()
    _history(norms, by, "edit norms")
    norms.save()
    return norms


@transaction.atomic
def catalogue_update(
    *, region: Region, prices: Mapping[str, tuple[int, str]], by: AnyUser
) -> list[CatalogueItem]:
    """Set unit prices (KZT) and their sources; every price is checked before any is
    written, so one absurd price refuses the whole change."""
    _ensure_can_edit_norms(by)
    stored = {c.item: c for c in CatalogueItem.objects.select_for_update().filter(region=region)}
    changed: list[CatalogueItem] = []
    errors: dict[str, Any] = {}
    for item, (price, source) in prices.items():
        if item not in engine.ITEMS:
            raise ValidationError(_("Unknown catalogue item: %(item)s.") % {"item": item})
        entry = stored.get(item) or CatalogueItem(region=region, item=item)
        if entry.pk and entry.unit_price == price and entry.source == (source or ""):
            continue
        if not entry.pk and price == DEFAULT_PRICES[item][0] and not source:
            continue  # still the default: nothing to store
        entry.unit_price = price
        entry.source = (source or "").strip()
        try:
            entry.full_clean()
        except ValidationError as error:
            errors[item] = error.messages
            continue
        changed.append(entry)
    if errors:
        raise ValidationError(errors)
    for entry in changed:
        _history(entry, by, "edit catalogue")
        entry.save()
    return changed


def ensure_defaults(region: Region) -> None:
    """Store the default norms and catalogue of a region (for the demo and new regions)."""
    NormSet.objects.get_or_create(region=region)
    for item, (price, _source) in DEFAULT_PRICES.items():
        CatalogueItem.objects.get_or_create(
            region=region, item=item, defaults={"unit_price": price}
        )
