"""Scaffolding: the monitoring app's views (replaced by the app's real views)."""

from django.http import HttpRequest, HttpResponse


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("monitoring")
