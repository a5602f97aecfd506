"""Language: Simplified Chinese unless the user chose English (account setting or language cookie).

The browser's Accept-Language is ignored on purpose: bureau PCs often run English-language browsers,
and the platform's working language is Chinese.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import translation

from jiaozheng.core.context import origin_for

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def language_for(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(user, "language", "") in SUPPORTED:
        return user.language
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if cookie in SUPPORTED:
        return cookie
    return settings.LANGUAGE_CODE


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_for(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", language)
            if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
                response.render()  # template responses render in the request's language
        return response


NUL_MESSAGE = "the request contains a NUL character (\\x00), which no field accepts"


class RejectNulMiddleware:
    """Refuse NUL characters in the path, the query string and JSON bodies with a clear 400.

    PostgreSQL text cannot hold NUL, so such a value would otherwise fail deep in a query as a server
    error. Forms already refuse it field by field (Django's ProhibitNullCharactersValidator).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            if origin_for(request.path) == "api":
                return JsonResponse({"message": NUL_MESSAGE, "errors": []}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path:
            return True
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            return True
        if request.content_type == "application/json" and request.method in ("POST", "PUT", "PATCH"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return False
            if 0 < length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                body = request.body
                return b"\\u0000" in body or b"\x00" in body
        return False


MAX_URL_LENGTH = 8192  # characters of path and query string; the platform's own links stay far below
URL_TOO_LONG = "the address is too long (more than 8192 characters)"


class RejectOversizedUrlMiddleware:
    """Refuse an address longer than MAX_URL_LENGTH with 414, before any view reads it.

    A page echoes its own address (the language switch returns to it), and a filter value may appear in
    a message: a 100k-character "id" would otherwise come back in full in every answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = len(request.path) + len(request.META.get("QUERY_STRING", ""))
        if length > MAX_URL_LENGTH:
            if origin_for(request.path[:200]) == "api":
                return JsonResponse({"message": URL_TOO_LONG, "errors": []}, status=414)
            return HttpResponse(URL_TOO_LONG, status=414, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
