from django.urls import path

from auyl.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.home, name="home"),
    # dashboards, charts, PDF and XLSX reports (auyl/monitoring/report_urls.py)
    # path("reports/", include("auyl.monitoring.report_urls")),
]
