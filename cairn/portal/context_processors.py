from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language


def language_links(request) -> list[dict]:
    """The current page in every public language, for the language switcher."""
    current = get_language()
    path = request.get_full_path()
    return [
        {
            "code": code,
            "name": settings.LANGUAGE_NAMES_IN_THEIR_OWN_LANGUAGE.get(code, code),
            "url": translate_url(path, code),
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]


def site(request) -> dict:
    return {
        "site": {
            "service_name": settings.CAIRN_SERVICE_NAME,
            "force_name": settings.CAIRN_FORCE_NAME,
            "language_links": language_links(request),
        }
    }
