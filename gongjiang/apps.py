from django.apps import AppConfig


class GongjiangConfig(AppConfig):
    """The project itself: settings, URLs, WSGI and the demo command wire the apps together.

    Nothing imports from here; this package imports every app. The primitives every app shares are in
    ``backend`` and import no app (the one-way rule backend ← honourees ← studios ← funding ← reports).
    """

    name = "gongjiang"
    verbose_name = "Gongjiang"
