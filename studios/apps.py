from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudiosConfig(AppConfig):
    name = "studios"
    verbose_name = _("Studios")

    def ready(self):
        from backend.home import register_cards
        from studios.home import cards

        register_cards(cards)
