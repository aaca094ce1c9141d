"""Django admin for superusers; everyday edits go through the registry's own pages."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from auyl.registry import models


@admin.register(models.Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_kk", "name_ru", "is_demo"]


@admin.register(models.District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name_kk", "name_ru", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name_kk", "name_ru"]


@admin.register(models.Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name_kk", "name_ru", "name_en"]


@admin.register(models.School)
class SchoolAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_ru", "district", "locality", "network_role"]
    list_filter = ["locality", "network_role", "language", "district"]
    search_fields = ["code", "name_kk", "name_ru"]
    raw_id_fields = ["hub"]
    list_select_related = ["district"]


@admin.register(models.Teacher)
class TeacherAdmin(SimpleHistoryAdmin):
    list_display = ["code", "full_name", "school", "weekly_hours"]
    search_fields = ["code", "full_name"]
    raw_id_fields = ["school"]
    list_select_related = ["school"]


@admin.register(models.Infrastructure)
class InfrastructureAdmin(SimpleHistoryAdmin):
    list_display = ["school", "internet_type", "internet_mbps", "electricity"]
    raw_id_fields = ["school"]
    list_select_related = ["school"]


for model in (models.Enrolment, models.ClassSet, models.TeachingAssignment, models.DeviceStock):
    admin.site.register(model, SimpleHistoryAdmin, raw_id_fields=["school"])
