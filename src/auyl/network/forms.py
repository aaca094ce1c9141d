"""Forms of the network app. Choices offered are always scoped to what the user may see."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from auyl.accounts.models import Role
from auyl.accounts.scoping import AnyUser, profile_of, role_of, visible_districts, visible_schools
from auyl.engines.planning.travel import required_pairs
from auyl.network import access
from auyl.network.design import SERVE_CURRENT, SERVE_SMALL, HubRule, build_request, school_facts
from auyl.network.models import Event, FollowUp, Mentor, Visit
from auyl.network.travel_files import TravelProblem, read_travel_file
from auyl.registry.models import District, Region, School, Subject, Teacher

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DesignForm(forms.Form):
    """The parameters of a network design (see ``design.build_request``)."""

    hubs = forms.IntegerField(
        label=_("Number of hubs"),
        required=False,
        min_value=1,
        max_value=2000,
        help_text=_("Leave empty to let the design choose how many (see the opening cost)."),
    )
    hub_open_cost = forms.FloatField(
        label=_("Cost of opening a hub (pupil-km)"),
        required=False,
        min_value=0,
        initial=20000,
        help_text=_("Used only when the number of hubs is empty: a new hub must save this much."),
    )
    max_km = forms.FloatField(
        label=_("Longest road distance to the hub (km)"),
        required=False,
        min_value=1,
        max_value=1000,
        initial=100,
    )
    max_magnets = forms.IntegerField(
        label=_("At most this many magnet schools per hub"),
        required=False,
        min_value=1,
        max_value=500,
        initial=15,
    )
    road_factor = forms.FloatField(
        label=_("Road factor"),
        min_value=1.0,
        max_value=3.0,
        initial=1.3,
        help_text=_("Road distance = straight-line distance × this factor."),
    )
    serve = forms.ChoiceField(
        label=_("Schools to serve"),
        choices=[
            (SERVE_SMALL, _("all small schools")),
            (SERVE_CURRENT, _("current magnet schools only")),
        ],
        initial=SERVE_SMALL,
    )
    keep_hubs = forms.BooleanField(
        label=_("Keep the existing hubs open"), required=False, initial=True
    )
    same_district = forms.BooleanField(
        label=_("A magnet school's hub is in its own district"), required=False
    )
    min_pupils = forms.IntegerField(
        label=_("A hub has at least this many pupils"), min_value=0, max_value=10000, initial=200
    )
    adequate_internet = forms.BooleanField(
        label=_("A hub's internet meets the norm"), required=False, initial=True
    )
    min_specialist_subjects = forms.IntegerField(
        label=_("A hub has qualified teachers in at least this many subjects of grades 5-11"),
        min_value=0,
        max_value=30,
        initial=12,
    )
    science_lab = forms.BooleanField(label=_("A hub has a science lab"), required=False)
    computer_lab = forms.BooleanField(
        label=_("A hub has a computer lab"), required=False, initial=True
    )
    not_small = forms.BooleanField(
        label=_("A small school cannot be a hub"), required=False, initial=True
    )
    min_readiness = forms.FloatField(
        label=_("A hub's readiness index is at least"),
        min_value=0,
        max_value=100,
        initial=0,
        required=False,
        help_text=_("0 to 100, from the readiness audits; 0 ignores it."),
    )
    travel_file = forms.FileField(
        label=_("Travel times (optional CSV)"),
        required=False,
        help_text=_(
            "Columns magnet_code, hub_code, minutes: one row per pair. With a file, the "
            "design minimises pupil-minutes instead of pupil-km."
        ),
    )
    max_minutes = forms.FloatField(
        label=_("Longest travel time to the hub (minutes)"),
        required=False,
        min_value=1,
        max_value=1440,
        help_text=_("Only with a travel-time file."),
    )
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), required=False, empty_label=_("all")
    )
    time_limit_s = forms.IntegerField(
        label=_("Time limit of the solver (seconds)"), min_value=5, max_value=600, initial=60
    )

    RULE_FIELDS = tuple(HubRule.__dataclass_fields__)
    FIELDSETS = (
        (
            _("The network"),
            ("hubs", "hub_open_cost", "max_km", "max_magnets", "road_factor", "serve",
             "keep_hubs", "same_district", "region"),
        ),
        (
            _("Which schools may be hubs"),
            ("min_pupils", "adequate_internet", "min_specialist_subjects", "science_lab",
             "computer_lab", "not_small", "min_readiness"),
        ),
        (_("Travel times instead of distances (optional)"), ("travel_file", "max_minutes")),
        (_("Solver"), ("time_limit_s",)),
    )  # fmt: skip

    def fieldsets(self) -> list[tuple[str, list[Any]]]:
        return [
            (str(legend), [self[name] for name in names if name in self.fields])
            for legend, names in self.FIELDSETS
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.travel: list[list[Any]] | None = None
        self.travel_problems: list[TravelProblem] = []
        if Region.objects.count() < 2:
            del self.fields["region"]

    def clean_travel_file(self) -> Any:
        file = self.cleaned_data.get("travel_file")
        if file and file.size > settings.AUYL_MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is too large."))
        return file

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("max_minutes") and not data.get("travel_file"):
            self.add_error("max_minutes", _("Give a travel-time file to limit by minutes."))
        file = data.get("travel_file")
        if file and not self.errors:
            self._read_travel(file)
        return data

    def _read_travel(self, file: Any) -> None:
        """Check the travel-time file against the registry and the pairs this design needs
        (each school to serve with each eligible hub within the distance limit)."""
        params = self.params()
        region = params.get("region")
        facts = school_facts(int(region) if region else None)
        request = build_request(facts, params)
        required = required_pairs(
            request.sites,
            max_km=request.max_km,
            road_factor=request.road_factor,
            same_district=request.same_district,
        )
        parsed = read_travel_file(file.read(), facts.keys(), required)
        self.travel_problems = list(parsed.problems)
        if parsed.problems:
            self.add_error(
                "travel_file",
                _("The travel-time file was refused: %(n)s problems, listed above.")
                % {"n": len(parsed.problems)},
            )
        else:
            self.travel = [[m, h, t] for (m, h), t in sorted(parsed.minutes.items())]

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        region = data.get("region")
        return {
            "hubs": data.get("hubs"),
            "hub_open_cost": data.get("hub_open_cost") or 0.0,
            "max_km": data.get("max_km"),
            "max_magnets": data.get("max_magnets"),
            "road_factor": data["road_factor"],
            "serve": data["serve"],
            "keep_hubs": data["keep_hubs"],
            "same_district": data["same_district"],
            "max_minutes": data.get("max_minutes"),
            "time_limit_s": data["time_limit_s"],
            "region": region.pk if region is not None else None,
            "rule": {
                f: data[f] if data.get(f) is not None else getattr(HubRule(), f)
                for f in self.RULE_FIELDS
            },
            "travel_file": data["travel_file"].name if data.get("travel_file") else None,
        }


class MentorForm(forms.ModelForm):
    class Meta:
        model = Mentor
        fields = ["full_name", "organisation", "district", "school", "subjects", "active"]
        widgets = {"subjects": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        district_field = self.fields["district"]
        assert isinstance(district_field, forms.ModelChoiceField)
        if role_of(user) is Role.METHODOLOGIST:
            profile = profile_of(user)
            district_field.queryset = District.objects.filter(
                pk=(profile.district_id if profile else None) or 0
            )
            district_field.required = True
        school_field = self.fields["school"]
        assert isinstance(school_field, forms.ModelChoiceField)
        school_field.queryset = School.objects.order_by("code")
        school_field.help_text = _("The leading school the mentor comes from, if in the registry.")


class AssignForm(forms.Form):
    """Assign a mentor to a cluster or to one school (only those the user may manage)."""

    hub = forms.ModelChoiceField(label=_("Cluster"), queryset=School.objects.none(), required=False)
    school = forms.ModelChoiceField(
        label=_("School"), queryset=School.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hubs = access.visible_hubs(user).order_by("code")
        schools = visible_schools(user).order_by("code")
        if not access.is_admin(user):
            district = profile_of(user)
            district_id = (district.district_id if district else None) or 0
            hubs = hubs.filter(district_id=district_id)
            schools = schools.filter(district_id=district_id)
        self.fields["hub"].queryset = hubs  # type: ignore[attr-defined]
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("hub")) == bool(data.get("school")):
            raise ValidationError(_("Choose either a cluster or a school."))
        return data


class VisitForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = [
            "mentor",
            "school",
            "date",
            "status",
            "focus",
            "observed_teacher",
            "observed_subject",
            "observed_grades",
            "observed_notes",
            "recommendations",
        ]
        widgets = {
            "date": DATE_WIDGET,
            "observed_notes": forms.Textarea(attrs={"rows": 3}),
            "recommendations": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mentors = Mentor.objects.filter(active=True).order_by("full_name")
        schools = visible_schools(user)
        if not access.is_admin(user) and role_of(user) is not Role.METHODOLOGIST:
            # a mentor with a login plans his own visits, to the schools he supports
            mentors = mentors.filter(user_id=user.pk) if user.is_authenticated else mentors.none()
            schools = schools | access.school_ids_of_mentor_user(user)
        self.fields["mentor"].queryset = mentors  # type: ignore[attr-defined]
        self.fields["school"].queryset = schools.distinct().order_by("code")  # type: ignore[attr-defined]
        school_id = (
            self.data.get("school")
            or self.initial.get("school")
            or (self.instance.school_id if self.instance.pk else None)
        )
        teachers = Teacher.objects.filter(school_id=school_id) if school_id else Teacher.objects
        self.fields["observed_teacher"].queryset = teachers.order_by("full_name")  # type: ignore[attr-defined]
        self.fields["observed_teacher"].help_text = _(
            "A teacher of the visited school (save the school first to narrow the list)."
        )
        self.fields["observed_subject"].queryset = Subject.objects.order_by("code")  # type: ignore[attr-defined]


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["action", "responsible", "due_date"]
        widgets = {"due_date": DATE_WIDGET}


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = ["kind", "title", "date", "hub", "district", "host_school", "description"]
        widgets = {"date": DATE_WIDGET, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hubs = access.visible_hubs(user).order_by("code")
        districts = visible_districts(user).order_by("code")
        role = role_of(user)
        profile = profile_of(user)
        if role is Role.METHODOLOGIST and profile is not None:
            hubs = hubs.filter(district_id=profile.district_id or 0)
            districts = districts.filter(pk=profile.district_id or 0)
        elif role is Role.HUB_COORDINATOR and profile is not None:
            hubs = hubs.filter(pk=profile.school_id or 0)
            districts = districts.none()
        self.fields["hub"].queryset = hubs  # type: ignore[attr-defined]
        self.fields["hub"].help_text = _("Choose a cluster or a district.")
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
        self.fields["host_school"].queryset = visible_schools(user).order_by("code")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("hub")) == bool(data.get("district")):
            raise ValidationError(_("An event belongs to a cluster or to a district: choose one."))
        return data


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"), required=False)
    url = forms.URLField(
        label=_("or a link"), required=False, max_length=500, assume_scheme="https"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("file")) == bool(data.get("url")):
            raise ValidationError(_("Give either a file or a link."))
        return data
