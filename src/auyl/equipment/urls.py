from django.urls import path

from auyl.equipment import views

app_name = "equipment"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.scenario_create, name="scenario_create"),
    path("compare/", views.compare, name="compare"),
    path("<int:pk>/", views.scenario_detail, name="scenario_detail"),
    path("<int:pk>/edit/", views.scenario_edit, name="scenario_edit"),
    path("<int:pk>/delete/", views.scenario_delete, name="scenario_delete"),
    path("<int:pk>/run/", views.scenario_run, name="scenario_run"),
    path("<int:pk>/pin/", views.scenario_pin, name="scenario_pin"),
    path("<int:pk>/exclude/", views.scenario_exclude, name="scenario_exclude"),
    path("<int:pk>/schools/<int:school_pk>/", views.plan_school, name="plan_school"),
    path("runs/<int:run_pk>/procurement.xlsx", views.run_xlsx, name="run_xlsx"),
    path("runs/<int:run_pk>/letters.pdf", views.run_letters, name="run_letters"),
    path("runs/<int:run_pk>/letters/<int:school_pk>.pdf", views.run_letter, name="run_letter"),
    path("runs/<int:run_pk>/charts/<slug:name>.png", views.run_chart, name="run_chart"),
]
