from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HonoureesConfig(AppConfig):
    name = "honourees"
    verbose_name = _("Honourees")

    def ready(self):
        from backend.home import register_cards
        from honourees.home import cards

        register_cards(cards)
