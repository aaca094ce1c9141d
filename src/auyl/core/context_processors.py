from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from auyl.accounts.scoping import role_of


def auyl(request: HttpRequest) -> dict[str, Any]:
    from auyl.registry.models import Region

    return {
        "auyl_role": role_of(request.user),
        "auyl_demo": Region.objects.filter(is_demo=True).exists(),
    }
