from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "auyl.network"
    verbose_name = _("Network")

    def ready(self) -> None:
        """A design's progress is followed by everyone who may open designs (its page shows
        the bar to them all), not only by the administrator who started it."""
        from auyl.jobs.access import register_job_viewers
        from auyl.network.access import can_design

        register_job_viewers("network_design", lambda user, job: can_design(user))
