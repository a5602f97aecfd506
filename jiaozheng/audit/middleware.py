"""Request ids and the acting user for every request."""

from __future__ import annotations

import re

from jiaozheng.core import context
from jiaozheng.core.context import origin_for

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give each request an id (or keep a well-formed incoming X-Request-ID) and return it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _SAFE_ID.match(incoming) else context.new_request_id()
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response


class ActorMiddleware:
    """Make the signed-in user the actor of every write made while handling the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = (
            request.user
            if getattr(request, "user", None) is not None and request.user.is_authenticated
            else None
        )
        token = context.set_actor(
            user, origin_for(request.path), getattr(request, "id", context.new_request_id())
        )
        try:
            return self.get_response(request)
        finally:
            context.reset(token)
