from django.urls import path

from auyl.timetable import views

app_name = "timetable"
urlpatterns = [
    path("", views.home, name="home"),
]
