"""Pages of the hub network: the network, its design, coverage, mentors, visits, events.

Views stay thin: selectors read, services write, forms validate, ``access`` decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from auyl.accounts.scoping import visible_districts, visible_schools
from auyl.core.downloads import file_response
from auyl.engines.curriculum import DEFAULT as CURRICULUM
from auyl.engines.curriculum import GRADES as CURRICULUM_GRADES
from auyl.network import access, outputs, selectors, services
from auyl.network.coverage import cluster_coverage_for
from auyl.network.design import fail_labels
from auyl.network.forms import (
    AssignForm,
    DesignForm,
    EventForm,
    FollowUpForm,
    MaterialForm,
    MentorForm,
    VisitForm,
)
from auyl.network.models import (
    Event,
    EventMaterial,
    FollowUp,
    Mentor,
    MentorAssignment,
    NetworkDesign,
    Visit,
)
from auyl.registry.mapping import school_map
from auyl.registry.models import District, School, Subject, Teacher

PAGE_SIZE = 50


def _name_field() -> str:
    return "name_kk" if (get_language() or "kk").startswith("kk") else "name_ru"


def _school_href() -> str:
    return reverse("registry:school_detail", args=[999999]).replace("999999", "{pk}")


def _district_labels(user: Any) -> list[tuple[float, float, str]]:
    return [
        (d.centre_lat, d.centre_lon, d.name)
        for d in visible_districts(user)
        if d.centre_lat is not None and d.centre_lon is not None
    ]


def _district_labels_of(ids: set[int]) -> list[tuple[float, float, str]]:
    """Labels of the districts ``ids`` at their centres (one query)."""
    return [
        (d.centre_lat, d.centre_lon, d.name)
        for d in District.objects.filter(pk__in=ids)
        if d.centre_lat is not None and d.centre_lon is not None
    ]


def designer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.can_design(request.user):
            raise PermissionDenied(_("Only a region administrator designs the network."))
        return view(request, *args, **kwargs)

    return wrapper


def _visible_hub(request: HttpRequest, pk: int) -> School:
    hub = access.visible_hubs(request.user).select_related("district").filter(pk=pk).first()
    if hub is None:
        raise Http404(_("No such cluster, or it is outside what you may see."))
    return hub


# --- The network ----------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    rows = selectors.clusters(request.user)
    the_map = school_map(
        selectors.network_map_rows(rows), _district_labels(request.user), _name_field()
    )
    context = {
        "rows": rows,
        "summary": selectors.summary(rows),
        "map": the_map,
        "map_svg": the_map.svg(_school_href(), _("Map of the hub network")),
        "can_design": access.can_design(request.user),
        "open_follow_ups": sum(len(g.items) for g in selectors.open_follow_ups(request.user)),
        "road_factor": selectors.ROAD_FACTOR,
    }
    return render(request, "network/home.html", context)


@login_required
def cluster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _visible_hub(request, pk)
    row = selectors.clusters(request.user, hub)[0]
    districts = {hub.district_id, *(m.school.district_id for m in row.magnets)}
    the_map = school_map(
        selectors.network_map_rows([row]), _district_labels_of(districts), _name_field()
    )
    can_manage = access.can_manage_cluster(request.user, hub)
    context = {
        "hub": hub,
        "row": row,
        "map": the_map,
        "map_svg": the_map.svg(_school_href(), _("Map of the cluster")),
        "can_manage": can_manage,
        "assignments": MentorAssignment.objects.filter(hub=hub).select_related("mentor"),
        "mentors": Mentor.objects.filter(active=True).order_by("full_name") if can_manage else [],
        "visits": selectors.visit_list(request.user).filter(
            school__in=[hub, *(m.school for m in row.magnets)]
        )[:10],
        "events": selectors.event_list(request.user).filter(hub=hub)[:10],
        "can_add_event": access.can_create_event(request.user, hub=hub, district=None),
        "road_factor": selectors.ROAD_FACTOR,
    }
    return render(request, "network/cluster_detail.html", context)


@require_POST
@login_required
def cluster_mentor_add(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _visible_hub(request, pk)
    chosen = request.POST.get("mentor", "")
    mentor = get_object_or_404(Mentor, pk=int(chosen) if chosen.isdigit() else 0, active=True)
    services.mentor_assign(mentor=mentor, hub=hub, by=request.user)
    messages.success(
        request, _("%(mentor)s now supports this cluster.") % {"mentor": mentor.full_name}
    )
    return redirect("network:cluster_detail", pk=hub.pk)


def _max_hours(request: HttpRequest) -> float | None:
    try:
        value = float(request.GET.get("max_hours", ""))
    except ValueError:
        return None
    return value if 1 <= value <= 40 else None


@login_required
def cluster_coverage(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _visible_hub(request, pk)
    max_hours = _max_hours(request)
    coverage = cluster_coverage_for(request.user, hub, max_hours=max_hours)
    context = {
        "hub": hub,
        "coverage": coverage,
        "max_hours": max_hours,
        "hour_choices": (None, 20, 24, 26),
    }
    return render(request, "network/cluster_coverage.html", context)


@login_required
def cluster_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _visible_hub(request, pk)
    pdf = outputs.cluster_sheet_pdf(request.user, hub)
    return file_response(pdf, "application/pdf", f"cluster-{hub.code}.pdf", inline=True)


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """``?format=csv|xlsx``: the network as it is (the clusters the user may see), or with
    ``&design=N`` a design's proposal (region administrators)."""
    fmt = request.GET.get("format", "csv")
    if fmt not in outputs.FORMATS:
        raise Http404(_("Unknown format."))
    design_pk = request.GET.get("design")
    if design_pk:
        if not access.can_design(request.user):
            raise PermissionDenied
        design = get_object_or_404(NetworkDesign, pk=design_pk, result__isnull=False)
        rows = outputs.design_rows(design)
        name = f"network-design-{design.pk}.{fmt}"
    else:
        rows = outputs.network_rows(request.user)
        name = f"network.{fmt}"
    return file_response(outputs.write(rows, fmt), outputs.CONTENT_TYPES[fmt], name)


@login_required
def curriculum_table(request: HttpRequest) -> HttpResponse:
    names = {s.code: s.name for s in Subject.objects.all()}
    rows = [
        {
            "code": code,
            "name": names.get(code, code),
            "hours": [CURRICULUM.hours_for(code, g) for g in CURRICULUM_GRADES],
        }
        for code in CURRICULUM.hours
    ]
    totals = [CURRICULUM.week_total(g) for g in CURRICULUM_GRADES]
    context = {
        "rows": rows,
        "grades": CURRICULUM_GRADES,
        "totals": totals,
        "source": CURRICULUM.source,
    }
    return render(request, "network/curriculum.html", context)


# --- Designs --------------------------------------------------------------------------------


@designer_required
def design_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.design_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "network/design_list.html", {"page": page})


@designer_required
def design_new(request: HttpRequest) -> HttpResponse:
    form = DesignForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        design = services.design_start(params=form.params(), travel=form.travel, by=request.user)
        return redirect("network:design_detail", pk=design.pk)
    status = 400 if form.errors else 200
    return render(request, "network/design_new.html", {"form": form}, status=status)


def _design_context(
    design: NetworkDesign, labels: list[tuple[float, float, str]]
) -> dict[str, Any]:
    result = design.result or {}
    codes = {link["magnet"] for link in result.get("links", [])}
    codes |= set(result.get("hubs", [])) | set(result.get("current_hubs", []))
    codes |= {u["school"] for u in result.get("unserved", [])}
    codes |= {link["magnet"] for link in result.get("current_links", [])}
    schools = selectors.school_names(codes)
    per_hub: dict[str, list[dict[str, Any]]] = {h: [] for h in result.get("hubs", [])}
    for link in result.get("links", []):
        per_hub.setdefault(link["hub"], []).append(link)
    hub_rows = [
        {
            "hub": schools.get(h),
            "code": h,
            "magnets": len(links),
            "pupils": sum(x["pupils"] for x in links),
            "max_km": max((x["km"] for x in links), default=0.0),
            "new": h not in result.get("current_hubs", []),
        }
        for h, links in sorted(per_hub.items())
    ]
    unserved_codes = {u["school"] for u in result.get("unserved", [])}
    proposed_hub = {link["magnet"]: link["hub"] for link in result.get("links", [])}
    hub_set = set(result.get("hubs", []))
    map_rows = []
    for code, s in schools.items():
        role = "hub" if code in hub_set else "magnet" if code in proposed_hub else "none"
        hub_school = schools.get(proposed_hub.get(code, ""))
        map_rows.append(
            {
                "pk": s.pk,
                "code": code,
                "name_kk": s.name_kk,
                "name_ru": s.name_ru,
                "latitude": s.latitude,
                "longitude": s.longitude,
                "locality": s.locality,
                "network_role": role,
                "hub_id": hub_school.pk if hub_school and role == "magnet" else None,
                "unserved": code in unserved_codes,
            }
        )
    the_map = school_map(
        map_rows,
        labels,
        _name_field(),
        kind_of=lambda r: "unserved" if r["unserved"] else _kind(r),
    )
    links = sorted(result.get("links", []), key=lambda x: (x["hub"], x["magnet"]))
    return {
        "design": design,
        "result": result,
        "schools": schools,
        "hub_rows": hub_rows,
        "links": [
            {**x, "school": schools.get(x["magnet"]), "hub_school": schools.get(x["hub"])}
            for x in links
        ],
        "unserved": [
            {**u, "school_obj": schools.get(u["school"])} for u in result.get("unserved", [])
        ],
        "changes": [
            {
                **c,
                "school_obj": schools.get(c["school"] or ""),
                "before_obj": schools.get(c["before"] or ""),
                "after_obj": schools.get(c["after"] or ""),
            }
            for c in result.get("changes", [])
        ],
        "figures": result.get("figures", {}),
        "map": the_map,
        "map_svg": the_map.svg(_school_href(), _("Map of the proposed network")),
        "ineligible": [
            (fail_labels().get(k, k), n) for k, n in sorted(result.get("ineligible", {}).items())
        ],
        "rule": design.params.get("rule", {}),
    }


def _kind(row: Mapping[str, Any]) -> str:
    if row["network_role"] in ("hub", "magnet"):
        return str(row["network_role"])
    return "urban" if row["locality"] == "urban" else "rural"


@designer_required
def design_detail(request: HttpRequest, pk: int) -> HttpResponse:
    design = get_object_or_404(NetworkDesign.objects.select_related("job", "accepted_by"), pk=pk)
    if design.result is None:
        return render(
            request,
            "network/design_progress.html",
            {"design": design, "failed": design.status == NetworkDesign.Status.FAILED},
        )
    context = _design_context(design, _district_labels(request.user))
    return render(request, "network/design_detail.html", context)


@designer_required
def design_accept(request: HttpRequest, pk: int) -> HttpResponse:
    design = get_object_or_404(NetworkDesign, pk=pk, result__isnull=False)
    if request.method == "POST":
        try:
            outcome = services.design_accept(design=design, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("network:design_detail", pk=design.pk)
        if outcome.changed:
            messages.success(
                request,
                _("Design #%(n)s accepted: %(changed)s schools changed in the registry.")
                % {"n": design.pk, "changed": outcome.changed},
            )
        else:
            messages.success(
                request, _("The registry already matches this design: nothing changed.")
            )
        return redirect("network:home")
    plan = services.accept_plan(design)
    context = {"design": design, "plan": plan, "result": design.result}
    return render(request, "network/design_accept.html", context)


# --- Mentors --------------------------------------------------------------------------------


@login_required
def mentor_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.mentor_list(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "can_add": access.can_manage_mentors(request.user)}
    return render(request, "network/mentor_list.html", context)


def _visible_mentor(request: HttpRequest, pk: int) -> Mentor:
    mentor = selectors.mentor_list(request.user).filter(pk=pk).first()
    if mentor is None:
        raise Http404(_("No such mentor, or outside what you may see."))
    return mentor


@login_required
def mentor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mentor = _visible_mentor(request, pk)
    form = AssignForm(user=request.user)
    hubs: Any = form.fields["hub"]
    schools: Any = form.fields["school"]
    can_assign = bool(hubs.queryset.exists() or schools.queryset.exists())
    context = {
        "mentor": mentor,
        "assignments": [
            (a, access.can_manage_school(request.user, a.hub or a.school))  # type: ignore[arg-type]
            for a in mentor.assignments.all()
        ],
        "visits": selectors.visit_list(request.user, mentor=mentor)[:20],
        "form": form,
        "can_assign": can_assign and access.can_manage_mentors(request.user),
        "can_edit": access.can_manage_mentors(request.user)
        and access.can_edit_mentor(request.user, mentor),
        "can_plan": access.can_manage_mentors(request.user)
        or access.is_mentor_user(request.user, mentor),
    }
    return render(request, "network/mentor_detail.html", context)


@login_required
def mentor_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not access.can_manage_mentors(request.user):
        raise PermissionDenied(_("You may not change mentors."))
    mentor = _visible_mentor(request, pk) if pk else None
    if mentor is not None and not access.can_edit_mentor(request.user, mentor):
        raise PermissionDenied(_("You may not change this mentor."))
    form = MentorForm(request.POST or None, instance=mentor, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {
            f: form.cleaned_data[f]
            for f in ("full_name", "organisation", "district", "school", "active")
        }
        try:
            saved = services.mentor_save(
                data=data, subjects=form.cleaned_data["subjects"], by=request.user, mentor=mentor
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Mentor saved."))
            return redirect("network:mentor_detail", pk=saved.pk)
    title = _("Edit mentor") if mentor else _("Add a mentor")
    return render(
        request,
        "network/form_page.html",
        {"form": form, "title": title, "back": reverse("network:mentor_list")},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def mentor_assign(request: HttpRequest, pk: int) -> HttpResponse:
    mentor = _visible_mentor(request, pk)
    form = AssignForm(request.POST, user=request.user)
    if form.is_valid():
        services.mentor_assign(
            mentor=mentor,
            hub=form.cleaned_data.get("hub"),
            school=form.cleaned_data.get("school"),
            by=request.user,
        )
        messages.success(request, _("Mentor assigned."))
    else:
        messages.error(
            request,
            " ".join(
                str(e)
                for e in form.non_field_errors() or [_("Choose a cluster or a school you manage.")]
            ),
        )
    back = request.POST.get("next") or ""
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect("network:mentor_detail", pk=mentor.pk)


@require_POST
@login_required
def assignment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(MentorAssignment.objects.select_related("hub", "school"), pk=pk)
    services.mentor_unassign(assignment=assignment, by=request.user)
    messages.success(request, _("Assignment removed."))
    return redirect("network:mentor_detail", pk=assignment.mentor_id)


def _month(request: HttpRequest) -> tuple[int, int]:
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        dt.date(year, month, 1)
    except ValueError:
        today = timezone.localdate()
        return today.year, today.month
    return year, month


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """A month of visits: a mentor's (``?mentor=``), one's own as a mentor, or all one sees."""
    mentor = None
    if request.GET.get("mentor"):
        mentor = _visible_mentor(
            request, int(request.GET["mentor"]) if request.GET["mentor"].isdigit() else 0
        )
    elif request.GET.get("mine") and hasattr(request.user, "mentor"):
        mentor = request.user.mentor
    year, month = _month(request)
    context = {
        "mentor": mentor,
        "own_mentor": getattr(request.user, "mentor", None),
        "cal": selectors.month_calendar(request.user, year, month, mentor),
        "today": timezone.localdate(),
    }
    return render(request, "network/calendar.html", context)


# --- Visits and follow-ups ------------------------------------------------------------------


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.visit_list(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "can_plan": access.can_manage_mentors(request.user) or hasattr(request.user, "mentor"),
    }
    return render(request, "network/visit_list.html", context)


def _visible_visit(request: HttpRequest, pk: int) -> Visit:
    visit = selectors.visible_visits(request.user).filter(pk=pk).first()
    if visit is None:
        raise Http404(_("No such visit, or outside what you may see."))
    return visit


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visible_visit(request, pk)
    follow_ups = list(visit.follow_ups.all())
    context = {
        "visit": visit,
        "follow_ups": [(f, access.can_update_follow_up(request.user, f)) for f in follow_ups],
        "can_edit": access.can_record_visit(request.user, visit),
        "form": FollowUpForm(),
        "statuses": FollowUp.Status.choices,
    }
    return render(request, "network/visit_detail.html", context)


@login_required
def visit_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    visit = _visible_visit(request, pk) if pk else None
    if visit is not None and not access.can_record_visit(request.user, visit):
        raise PermissionDenied(_("You may not change this visit."))
    initial = {k: request.GET[k] for k in ("school", "mentor") if request.GET.get(k, "").isdigit()}
    if visit is None and "date" not in initial:
        initial["date"] = timezone.localdate().isoformat()
    form = VisitForm(request.POST or None, instance=visit, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in VisitForm.Meta.fields}
        try:
            saved = services.visit_save(data=data, by=request.user, visit=visit)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Visit saved."))
            return redirect("network:visit_detail", pk=saved.pk)
    title = _("Record the visit") if visit else _("Plan a visit")
    return render(
        request,
        "network/form_page.html",
        {"form": form, "title": title, "back": reverse("network:visit_list")},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def follow_up_add(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visible_visit(request, pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_add(visit=visit, data=form.cleaned_data, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Follow-up added."))
    else:
        messages.error(request, _("The follow-up needs an action and a due date."))
    return redirect("network:visit_detail", pk=visit.pk)


@require_POST
@login_required
def follow_up_status(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(
        FollowUp.objects.select_related("visit__school", "visit__mentor"), pk=pk
    )
    if not selectors.visible_visits(request.user).filter(pk=follow_up.visit_id).exists():
        raise Http404
    services.follow_up_set_status(
        follow_up=follow_up, status=request.POST.get("status", ""), by=request.user
    )
    back = request.POST.get("next") or ""
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect("network:visit_detail", pk=follow_up.visit_id)


@login_required
def follow_up_list(request: HttpRequest) -> HttpResponse:
    groups = selectors.open_follow_ups(request.user)
    context = {"groups": groups, "today": timezone.localdate(), "statuses": FollowUp.Status.choices}
    return render(request, "network/follow_up_list.html", context)


# --- Events ---------------------------------------------------------------------------------


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.event_list(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "can_add": access.may_create_events(request.user)}
    return render(request, "network/event_list.html", context)


def _visible_event(request: HttpRequest, pk: int) -> Event:
    event = selectors.event_list(request.user).filter(pk=pk).first()
    if event is None:
        raise Http404(_("No such event, or outside what you may see."))
    return event


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _visible_event(request, pk)
    can_edit = access.can_edit_event(request.user, event)
    context = {
        "event": event,
        "participants": selectors.event_participants(event),
        "materials": list(event.materials.all()),
        "can_edit": can_edit,
        "material_form": MaterialForm() if can_edit else None,
        "max_mb": services.MATERIAL_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "network/event_detail.html", context)


@login_required
def event_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not access.may_create_events(request.user):
        raise PermissionDenied(_("You may not organise events."))
    event = _visible_event(request, pk) if pk else None
    if event is not None and not access.can_edit_event(request.user, event):
        raise PermissionDenied(_("You may not change this event."))
    initial = {}
    if request.GET.get("hub", "").isdigit():
        initial["hub"] = request.GET["hub"]
    form = EventForm(request.POST or None, instance=event, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in EventForm.Meta.fields}
        try:
            saved = services.event_save(data=data, by=request.user, event=event)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Event saved."))
            return (
                redirect("network:event_participants", pk=saved.pk)
                if event is None
                else redirect("network:event_detail", pk=saved.pk)
            )
    title = _("Edit event") if event else _("New event")
    return render(
        request,
        "network/form_page.html",
        {"form": form, "title": title, "back": reverse("network:event_list")},
        status=400 if form.errors else 200,
    )


@login_required
def event_participants(request: HttpRequest, pk: int) -> HttpResponse:
    event = _visible_event(request, pk)
    if not access.can_edit_event(request.user, event):
        raise PermissionDenied(_("You may not change this event."))
    teachers = list(
        Teacher.objects.filter(school__in=services.event_schools(event))
        .select_related("school")
        .order_by("school__code", "full_name")
    )
    if request.method == "POST":
        chosen = {int(x) for x in request.POST.getlist("teacher") if x.isdigit()}
        presenting = {int(x) for x in request.POST.getlist("presenter") if x.isdigit()}
        picked = [t for t in teachers if t.pk in chosen]
        n = services.event_set_participants(
            event=event,
            teachers=picked,
            presenters=[t for t in picked if t.pk in presenting],
            by=request.user,
        )
        messages.success(request, _("%(n)s participants saved.") % {"n": n})
        return redirect("network:event_detail", pk=event.pk)
    current = {p.teacher_id: p.role for p in event.participations.all()}
    groups: dict[int, dict[str, Any]] = {}
    for t in teachers:
        group = groups.setdefault(t.school_id, {"school": t.school, "teachers": []})
        group["teachers"].append(
            {"teacher": t, "in": t.pk in current, "presenter": current.get(t.pk) == "presenter"}
        )
    return render(
        request, "network/event_participants.html", {"event": event, "groups": groups.values()}
    )


@require_POST
@login_required
def material_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = _visible_event(request, pk)
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.material_add(
                event=event,
                title=form.cleaned_data["title"],
                file=form.cleaned_data.get("file"),
                url=form.cleaned_data.get("url") or "",
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Material added."))
    else:
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, " ".join(errors))
    return redirect("network:event_detail", pk=event.pk)


@login_required
def material_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    material = get_object_or_404(EventMaterial, pk=pk)
    _visible_event(request, material.event_id)
    if not material.file:
        return redirect(material.url)
    return FileResponse(
        material.file.open("rb"),
        as_attachment=True,
        filename=(material.file.name or "file").rsplit("/", 1)[-1],
    )


@require_POST
@login_required
def material_delete(request: HttpRequest, pk: int) -> HttpResponse:
    material = get_object_or_404(EventMaterial.objects.select_related("event"), pk=pk)
    _visible_event(request, material.event_id)
    services.material_delete(material=material, by=request.user)
    messages.success(request, _("Material removed."))
    return redirect("network:event_detail", pk=material.event_id)


@login_required
def teacher_history(request: HttpRequest, pk: int) -> HttpResponse:
    teacher = get_object_or_404(
        Teacher.objects.select_related("school").filter(school__in=visible_schools(request.user)),
        pk=pk,
    )
    return render(
        request,
        "network/teacher_history.html",
        {"teacher": teacher, **selectors.teacher_history(teacher)},
    )


@login_required
def school_participation(request: HttpRequest, pk: int) -> HttpResponse:
    school = get_object_or_404(visible_schools(request.user), pk=pk)
    context = {
        "school": school,
        "rows": selectors.school_participation(request.user, school),
        "follow_ups": selectors.open_follow_ups(request.user, school),
        "visits": selectors.visit_list(request.user, school=school)[:20],
        "today": timezone.localdate(),
    }
    return render(request, "network/school_network.html", context)
