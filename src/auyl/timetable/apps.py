from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimetableConfig(AppConfig):
    name = "auyl.timetable"
    verbose_name = _("Timetable")

    def ready(self) -> None:
        """A solve's progress is followed by whoever may open its cluster."""
        from auyl.jobs.access import register_job_viewers
        from auyl.timetable.access import may_see_run_job
        from auyl.timetable.models import TimetableRun

        register_job_viewers(TimetableRun.JOB_KIND, may_see_run_job)
