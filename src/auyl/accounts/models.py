"""Who a user is in the programme: a role and the part of the region it covers."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REGION_ADMIN = "region_admin", _("region administrator")
    METHODOLOGIST = "methodologist", _("district methodologist")
    HUB_COORDINATOR = "hub_coordinator", _("hub coordinator")
    PRINCIPAL = "principal", _("school principal")
    TEACHER = "teacher", _("teacher")


#: Which scope field each role needs (None: the whole region).
ROLE_SCOPE = {
    Role.REGION_ADMIN: None,
    Role.METHODOLOGIST: "district",
    Role.HUB_COORDINATOR: "school",
    Role.PRINCIPAL: "school",
    Role.TEACHER: "school",
}


class Profile(models.Model):
    """A user's role and scope. Scoping rules live in :mod:`auyl.accounts.scoping`."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    district = models.ForeignKey(
        "registry.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("district"),
    )
    school = models.ForeignKey(
        "registry.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("school"),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    def clean(self) -> None:
        needed = ROLE_SCOPE[Role(self.role)]
        if needed == "district" and self.district_id is None:
            raise ValidationError({"district": _("A methodologist needs a district.")})
        if needed == "school" and self.school_id is None:
            raise ValidationError({"school": _("This role needs a school.")})
        hub_coordinator = self.role == Role.HUB_COORDINATOR and self.school is not None
        if hub_coordinator and self.school.network_role != "hub":  # type: ignore[union-attr]
            raise ValidationError({"school": _("A hub coordinator's school must be a hub.")})
