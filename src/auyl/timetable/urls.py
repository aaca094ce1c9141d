from django.urls import path

from auyl.timetable import views

app_name = "timetable"
urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.my_timetable, name="my_timetable"),
    path("curriculum/", views.curriculum, name="curriculum"),
    path("cluster/<int:pk>/", views.cluster_detail, name="cluster_detail"),
    path("cluster/<int:pk>/solve/", views.cluster_solve, name="cluster_solve"),
    path("cluster/<int:pk>/broadcasts/", views.broadcast_list, name="broadcast_list"),
    path("cluster/<int:pk>/timetable.csv", views.cluster_csv, name="cluster_csv"),
    path("cluster/<int:pk>/school/<int:school>/", views.school_timetable, name="school_timetable"),
    path("cluster/<int:pk>/school/<int:school>/pdf/", views.school_pdf, name="school_pdf"),
    path(
        "cluster/<int:pk>/school/<int:school>/settings/",
        views.school_settings,
        name="school_settings",
    ),
    path(
        "cluster/<int:pk>/school/<int:school>/curriculum/",
        views.school_curriculum,
        name="school_curriculum",
    ),
    path(
        "cluster/<int:pk>/school/<int:school>/grade/<int:grade>/",
        views.grade_timetable,
        name="grade_timetable",
    ),
    path(
        "cluster/<int:pk>/class-set/<int:class_set>/",
        views.class_set_timetable,
        name="class_set_timetable",
    ),
    path(
        "cluster/<int:pk>/class-set/<int:class_set>/mode/",
        views.lesson_mode_save,
        name="lesson_mode_save",
    ),
    path(
        "cluster/<int:pk>/teacher/<int:teacher>/",
        views.teacher_timetable,
        name="teacher_timetable",
    ),
    path("cluster/<int:pk>/teacher/<int:teacher>/pdf/", views.teacher_pdf, name="teacher_pdf"),
    path("cluster/<int:pk>/teacher/<int:teacher>/ics/", views.teacher_ics, name="teacher_ics"),
    path("lesson/<int:pk>/", views.lesson_detail, name="lesson_detail"),
    path("lesson/<int:pk>/check/", views.lesson_check, name="lesson_check"),
    path("lesson/<int:pk>/move/", views.lesson_move, name="lesson_move"),
    path("lesson/<int:pk>/lock/", views.lesson_lock, name="lesson_lock"),
]
