from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("jobs/", include("auyl.jobs.urls")),
    path("registry/io/", include("auyl.registry.io.urls")),
    path("accounts/", include("auyl.accounts.urls")),
    path("readiness/", include("auyl.readiness.urls")),
    path("equipment/", include("auyl.equipment.urls")),
    path("network/", include("auyl.network.urls")),
    path("timetable/", include("auyl.timetable.urls")),
    path("monitoring/", include("auyl.monitoring.urls")),
    path("", include("auyl.registry.urls")),
]
