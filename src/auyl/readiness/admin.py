"""Django admin for superusers; everyday work goes through the readiness pages."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from auyl.readiness import models


@admin.register(models.Audit)
class AuditAdmin(admin.ModelAdmin):
    list_display = ["school", "status", "version", "is_latest", "source", "submitted_at"]
    list_filter = ["status", "source", "is_latest"]
    search_fields = ["school__code", "school__name_ru", "school__name_kk"]
    raw_id_fields = ["school", "created_by", "submitted_by"]
    list_select_related = ["school"]

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.status == models.Audit.Status.DRAFT


@admin.register(models.NormSet)
class NormSetAdmin(SimpleHistoryAdmin):
    list_display = ["region", "devices_per_pupil", "lab_min_grade", "updated_at"]


@admin.register(models.CatalogueItem)
class CatalogueItemAdmin(SimpleHistoryAdmin):
    list_display = ["region", "item", "unit_price", "source"]
    list_filter = ["region", "item"]
