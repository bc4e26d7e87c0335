from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Funding")

    def ready(self):
        from . import receivers  # noqa: F401  (connects the signal receivers)
        from .home import register  # the home cards and the honouree page's money panel

        register()
