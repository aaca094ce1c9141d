"""Dashboards and reports of monitoring results, included by ``auyl/monitoring/urls.py``
under ``reports/`` (names are reversed as ``monitoring:reports_home`` etc.)."""

from django.urls import path

from auyl.monitoring import report_views

urlpatterns = [
    path("", report_views.reports_home, name="reports_home"),
    path("impact/", report_views.reports_impact, name="reports_impact"),
    path("report.pdf", report_views.reports_pdf, name="reports_pdf"),
    path("results.xlsx", report_views.reports_xlsx, name="reports_xlsx"),
]
