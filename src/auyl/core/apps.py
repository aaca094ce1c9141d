from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "auyl.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from auyl.core import text  # noqa: F401  (registers the SQLite casefold function)
