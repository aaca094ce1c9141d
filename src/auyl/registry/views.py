"""Registry pages. Views stay thin: selectors read, services write, forms validate."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from auyl.accounts.scoping import can_edit_school, can_import, visible_districts
from auyl.engines.norms import connectivity_norm_mbps, is_connectivity_adequate
from auyl.registry import selectors, services
from auyl.registry.forms import EnrolmentForm, InfrastructureForm, SchoolForm, TeacherForm
from auyl.registry.history import school_history
from auyl.registry.mapping import school_map
from auyl.registry.models import DeviceStock, Infrastructure, School, Teacher

PAGE_SIZE = 50


def _name_field() -> str:
    return "name_kk" if (get_language() or "kk").startswith("kk") else "name_ru"


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    districts = list(visible_districts(request.user))
    labels = [
        (d.centre_lat, d.centre_lon, d.name)
        for d in districts
        if d.centre_lat is not None and d.centre_lon is not None
    ]
    school_href = reverse("registry:school_detail", args=[999999]).replace("999999", "{pk}")
    the_map = school_map(selectors.map_points(request.user), labels, _name_field())
    context = {
        "figures": selectors.key_figures(request.user),
        "map": the_map,
        "map_svg": the_map.svg(school_href, _("Map of schools coloured by type")),
        "district_rows": selectors.district_rows(request.user),
    }
    return render(request, "registry/dashboard.html", context)


@login_required
def district_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "registry/district_list.html",
        {"district_rows": selectors.district_rows(request.user)},
    )


@login_required
def school_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.SchoolFilters.from_query(request.GET)
    schools = selectors.school_list(request.user, filters)
    page = Paginator(schools, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "districts": visible_districts(request.user),
        "query": request.GET.copy(),
        "can_import": can_import(request.user),
        "sort_choices": selectors.SORT_LABELS.items(),
    }
    is_htmx = bool(getattr(request, "htmx", False))  # set by django-htmx's middleware
    template = "registry/_school_table.html" if is_htmx else "registry/school_list.html"
    return render(request, template, context)


def _visible_school(request: HttpRequest, pk: int) -> School:
    school = selectors.annotated_schools(request.user).filter(pk=pk).first()
    if school is None:
        raise Http404(_("No such school, or it is outside what you may see."))
    return school


def _editable_school(request: HttpRequest, pk: int) -> School:
    school = _visible_school(request, pk)
    if not can_edit_school(request.user, school):
        raise PermissionDenied(_("You may not edit this school."))
    return school


@login_required
def school_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school = _visible_school(request, pk)
    infrastructure = Infrastructure.objects.filter(school=school).first()
    pupils = school.pupils  # type: ignore[attr-defined]
    context = {
        "school": school,
        "can_edit": can_edit_school(request.user, school),
        "enrolment": selectors.school_enrolment(school),
        "class_sets": selectors.school_class_sets(school),
        "teachers": selectors.school_teachers(school),
        "infrastructure": infrastructure,
        "norm_mbps": connectivity_norm_mbps(pupils),
        "adequate": is_connectivity_adequate(
            float(infrastructure.internet_mbps) if infrastructure else None, pupils
        ),
        "devices": selectors.school_devices(school),
        "device_conditions": DeviceStock.Condition.choices,
        "magnets": school.magnets.order_by("code") if school.network_role == "hub" else [],
    }
    return render(request, "registry/school_detail.html", context)


def _edit_page(
    request: HttpRequest, school: School, form: object, template: str, title: str
) -> HttpResponse:
    return render(request, template, {"school": school, "form": form, "title": title})


@login_required
def school_edit(request: HttpRequest, pk: int) -> HttpResponse:
    school = _editable_school(request, pk)
    form = SchoolForm(request.POST or None, instance=school, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.school_update(school=school, data=form.cleaned_data, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("School saved."))
            return redirect("registry:school_detail", pk=school.pk)
    return _edit_page(request, school, form, "registry/form_page.html", _("Edit school"))


@login_required
def enrolment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    school = _editable_school(request, pk)
    form = EnrolmentForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_update(school=school, rows=form.rows(), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Enrolment and class-sets saved."))
            return redirect("registry:school_detail", pk=school.pk)
    return _edit_page(
        request, school, form, "registry/enrolment_edit.html", _("Enrolment and class-sets")
    )


@login_required
def teacher_edit(request: HttpRequest, pk: int, teacher_pk: int | None = None) -> HttpResponse:
    school = _editable_school(request, pk)
    teacher = get_object_or_404(Teacher, pk=teacher_pk, school=school) if teacher_pk else None
    form = TeacherForm(request.POST or None, instance=teacher, school=school)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in ("code", "full_name", "weekly_hours")}
        try:
            services.teacher_save(
                school=school,
                teacher=teacher,
                data=data,
                by=request.user,
                subjects=form.cleaned_data["subjects"],
                taught_here=form.cleaned_data["taught_here"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Teacher saved."))
            return redirect("registry:school_detail", pk=school.pk)
    title = _("Edit teacher") if teacher else _("Add a teacher")
    return _edit_page(request, school, form, "registry/form_page.html", title)


@login_required
def infrastructure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    school = _editable_school(request, pk)
    instance = Infrastructure.objects.filter(school=school).first() or Infrastructure(school=school)
    form = InfrastructureForm(request.POST or None, instance=instance, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            services.infrastructure_update(
                school=school,
                data=form.infrastructure_data(),
                devices=form.devices(),
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Infrastructure saved."))
            return redirect("registry:school_detail", pk=school.pk)
    return _edit_page(
        request, school, form, "registry/infrastructure_edit.html", _("Infrastructure")
    )


@login_required
def school_history_view(request: HttpRequest, pk: int) -> HttpResponse:
    school = _visible_school(request, pk)
    return render(
        request,
        "registry/school_history.html",
        {"school": school, "entries": school_history(school)},
    )
