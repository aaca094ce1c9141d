"""Django admin for monitoring: tests with their items, and scalings (read-mostly)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from auyl.monitoring.models import Assessment, Item, Participation, Scaling


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0
    fields = ["position", "code", "key", "domain", "max_score", "anchor"]


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "year", "grade", "subject", "language", "region"]
    list_filter = ["year", "grade", "subject", "language"]
    search_fields = ["name"]
    inlines = [ItemInline]


@admin.register(Scaling)
class ScalingAdmin(admin.ModelAdmin):
    list_display = ["pk", "assessment", "model", "link_method", "status", "n_persons"]
    list_filter = ["status", "model", "link_method"]
    readonly_fields = ["job", "warnings", "link_a", "link_b", "scale_mean", "scale_sd"]


@admin.register(Participation)
class ParticipationAdmin(SimpleHistoryAdmin):
    list_display = ["school", "since_year"]
    search_fields = ["school__code", "school__name_ru", "school__name_kk"]
