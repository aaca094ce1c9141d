from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from auyl.timetable.models import (
    CurriculumHours,
    LessonMode,
    TeacherAccount,
    TeacherAvailability,
    TimetableRun,
    TimetableSettings,
)


@admin.register(TimetableSettings)
class TimetableSettingsAdmin(SimpleHistoryAdmin):
    list_display = ("school", "days", "periods_per_day", "link_streams")
    search_fields = ("school__code", "school__name_ru", "school__name_kk")
    raw_id_fields = ("school",)


@admin.register(CurriculumHours)
class CurriculumHoursAdmin(SimpleHistoryAdmin):
    list_display = ("region", "school", "subject", "grade", "hours")
    raw_id_fields = ("school",)


@admin.register(LessonMode)
class LessonModeAdmin(SimpleHistoryAdmin):
    list_display = ("class_set", "subject", "mode")
    raw_id_fields = ("class_set",)


@admin.register(TeacherAvailability)
class TeacherAvailabilityAdmin(SimpleHistoryAdmin):
    list_display = ("teacher",)
    raw_id_fields = ("teacher",)


@admin.register(TeacherAccount)
class TeacherAccountAdmin(admin.ModelAdmin):
    list_display = ("user", "teacher")
    raw_id_fields = ("user", "teacher")


@admin.register(TimetableRun)
class TimetableRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "hub", "status", "created_at", "seconds")
    list_filter = ("status",)
    raw_id_fields = ("hub", "job", "created_by")
