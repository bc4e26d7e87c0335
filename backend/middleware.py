"""Chinese first: the interface is in Chinese unless the user has switched to English.

Django's LocaleMiddleware follows the browser's Accept-Language, so a clerk on a browser set to English
(common on office PCs installed from English images) would get a half-translated interface without asking
for it. Here only the language cookie that the switch in the header sets (/i18n/setlang/) counts; anything
else gets LANGUAGE_CODE (zh-hans). The API follows the same rule; its error bodies carry both languages.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChineseFirstLocaleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        with translation.override(language):  # and back to what it was once the response is made
            response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response
