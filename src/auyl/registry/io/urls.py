from django.urls import path

from auyl.registry.io import views

app_name = "registry_io"
urlpatterns = [
    path("import/", views.import_start, name="import_start"),
    path("import/<uuid:pk>/preview/", views.import_preview, name="import_preview"),
    path("import/<uuid:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<uuid:pk>/result/", views.import_result, name="import_result"),
    path("import/template/", views.import_template, name="import_template"),
    path("export/", views.export, name="export"),
]
