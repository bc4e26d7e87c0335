from django.apps import AppConfig


class BackendConfig(AppConfig):
    name = "backend"
    verbose_name = "Gongjiang"

    def ready(self):
        from backend.cards import cards
        from backend.home import register_cards

        register_cards(cards)
