"""The phone and integration API under /api/v1/ (django-ninja).

Every app contributes ``router`` from its ``api.py``; every operation declares its policy with
``jiaozheng.core.access.api_access``. Authentication: a session (staff pages calling the API, with CSRF)
or a bearer token (integrations, the supervised person's phone). Anonymous requests get 401.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import DataError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from jiaozheng import __version__
from jiaozheng.core.apiauth import BearerTokenAuth, SessionAuth
from jiaozheng.core.errors import ApplicationError, validation_errors_from_django
from jiaozheng.core.registry import app_modules


class ObjectBodyParser(Parser):
    """A JSON body is an object: ``true``, ``42``, ``"x"``, ``null`` or a list are refused with 400 (ninja
    would otherwise read them as an empty body when every field is optional, and act on it)."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the JSON body must be an object")
        return data


api = NinjaAPI(
    parser=ObjectBodyParser(),
    title="Jiaozheng API",
    version="v1",
    description="Community-corrections platform: persons, services, location supervision. "
    'Errors: {"message": ..., "errors": [...]}. Out-of-scope objects answer 404.',
    urls_namespace="api-v1",
    auth=[BearerTokenAuth(), SessionAuth()],
    docs_url="/docs",
)


@api.exception_handler(ApplicationError)
def _application_error(request, exc: ApplicationError):
    return api.create_response(request, exc.as_dict(), status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc: NinjaValidationError):
    errors = []
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", []) if part not in ("body", "query", "path", "payload")]
        errors.append({"field": ".".join(loc) or None, "message": err.get("msg", "invalid")})
    return api.create_response(request, {"message": "invalid input", "errors": errors}, status=422)


@api.exception_handler(ValidationError)
def _django_validation_error(request, exc: ValidationError):
    return api.create_response(
        request, {"message": "invalid input", "errors": validation_errors_from_django(exc)}, status=422
    )


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return api.create_response(request, {"message": "request body too large", "errors": []}, status=413)


@api.exception_handler(DataError)
def _data_error(request, exc: DataError):
    # A value the database cannot hold (a number out of range, say) that validation let through: the
    # statement failed, so nothing was written.
    return api.create_response(
        request,
        {"message": "invalid input: a value is out of the range the database can store", "errors": []},
        status=422,
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"message": "not found", "errors": []}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"message": "forbidden", "errors": []}, status=403)


@api.exception_handler(AuthenticationError)
def _unauthorised(request, exc):
    return api.create_response(request, {"message": "authentication required", "errors": []}, status=401)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return api.create_response(request, {"message": str(exc), "errors": []}, status=exc.status_code)


for _cfg, _module in app_modules("api"):
    _router = getattr(_module, "router", None)
    if _router is not None:
        api.add_router("", _router)

api.version_string = __version__  # type: ignore[attr-defined]
