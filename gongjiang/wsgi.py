import os

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjiang.settings")

from django.conf import settings
from django.core.wsgi import get_wsgi_application

# Fail at start-up, not at the first request: gongjiang/settings.py leaves the key empty without DEBUG.
if not settings.DEBUG and not os.environ.get("SECRET_KEY"):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for local development)."
    )

application = get_wsgi_application()
