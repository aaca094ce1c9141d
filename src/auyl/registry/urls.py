from django.urls import path

from auyl.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("districts/", views.district_list, name="district_list"),
    path("schools/", views.school_list, name="school_list"),
    path("schools/<int:pk>/", views.school_detail, name="school_detail"),
    path("schools/<int:pk>/edit/", views.school_edit, name="school_edit"),
    path("schools/<int:pk>/enrolment/", views.enrolment_edit, name="enrolment_edit"),
    path("schools/<int:pk>/teachers/new/", views.teacher_edit, name="teacher_add"),
    path("schools/<int:pk>/teachers/<int:teacher_pk>/", views.teacher_edit, name="teacher_edit"),
    path("schools/<int:pk>/infrastructure/", views.infrastructure_edit, name="infrastructure_edit"),
    path("schools/<int:pk>/history/", views.school_history_view, name="school_history"),
]
