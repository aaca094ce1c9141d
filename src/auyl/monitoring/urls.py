import importlib.util

from django.urls import URLPattern, URLResolver, include, path

from auyl.monitoring import views

app_name = "monitoring"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("tests/new/", views.assessment_new, name="assessment_new"),
    path("tests/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("tests/<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path("tests/<int:pk>/items/", views.items_edit, name="items_edit"),
    path("tests/<int:pk>/items/import/", views.items_import, name="items_import"),
    path("tests/<int:pk>/booklets/new/", views.booklet_new, name="booklet_new"),
    path("tests/<int:pk>/booklets/<int:booklet>/", views.booklet_edit, name="booklet_edit"),
    path(
        "tests/<int:pk>/booklets/<int:booklet>/delete/",
        views.booklet_delete,
        name="booklet_delete",
    ),
    path("tests/<int:pk>/import/", views.import_start, name="import_start"),
    path("tests/<int:pk>/import/template/", views.import_template, name="import_template"),
    path("tests/<int:pk>/import/<uuid:job>/", views.import_preview, name="import_preview"),
    path("tests/<int:pk>/import/<uuid:job>/confirm/", views.import_confirm, name="import_confirm"),
    path("tests/<int:pk>/import/<uuid:job>/result/", views.import_result, name="import_result"),
    path("tests/<int:pk>/scale/", views.scaling_new, name="scaling_new"),
    path("scalings/<int:pk>/", views.scaling_detail, name="scaling_detail"),
    path("scalings/<int:pk>/delete/", views.scaling_delete, name="scaling_delete"),
]

# Dashboards, charts, PDF and XLSX reports (written separately; present once it exists).
if importlib.util.find_spec("auyl.monitoring.report_urls") is not None:
    urlpatterns.append(path("reports/", include("auyl.monitoring.report_urls")))
