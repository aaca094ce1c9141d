from django.urls import path

from auyl.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
