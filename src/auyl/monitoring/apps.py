from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "auyl.monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        """A scaling's progress is followed by everyone who sees its test (its page shows
        the bar to them all), not only by the one who started it."""
        from auyl.jobs.access import register_job_viewers
        from auyl.monitoring.access import may_see_scaling_job

        register_job_viewers("monitoring_scaling", may_see_scaling_job)
