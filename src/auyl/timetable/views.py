"""Scaffolding: the timetable app's views (replaced by the app's real views)."""

from django.http import HttpRequest, HttpResponse


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("timetables")
