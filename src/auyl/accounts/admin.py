from django.contrib import admin

from auyl.accounts.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "district", "school"]
    list_filter = ["role"]
    raw_id_fields = ["school"]
    search_fields = ["user__username"]
