from django.urls import path

from auyl.jobs import views

app_name = "jobs"
urlpatterns = [path("<uuid:pk>/", views.job_progress, name="job_progress")]
