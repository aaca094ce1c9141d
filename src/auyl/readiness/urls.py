from django.urls import path

from auyl.readiness import views

app_name = "readiness"
urlpatterns = [
    path("", views.home, name="home"),
    path("schools/<int:pk>/", views.school, name="school"),
    path("schools/<int:pk>/audit/", views.audit_edit, name="audit_edit"),
    path("schools/<int:pk>/audit/discard/", views.audit_discard, name="audit_discard"),
    path("audits/<int:pk>/", views.audit_detail, name="audit_detail"),
    path("norms/", views.norms, name="norms"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("needs/", views.needs, name="needs"),
    path("import/", views.import_start, name="import_start"),
    path("import/preview/", views.import_preview, name="import_preview"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("import/template/", views.import_template, name="import_template"),
    path("export/", views.export, name="export"),
]
