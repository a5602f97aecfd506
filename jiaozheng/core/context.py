"""Who is acting, and as part of which request or job.

The request middleware, the API auth, background tasks and management commands set the actor; the audit
trail reads it, so writes from the UI, the API, the admin, the shell and jobs are all attributed.
Outside any of these (an interactive shell), the actor is "shell:<OS user>".
"""

from __future__ import annotations

import contextvars
import getpass
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ActorContext:
    user: Any = None
    origin: str = "shell"  # ui, api, admin, job, cli, shell, system
    request_id: str = ""

    @property
    def label(self) -> str:
        if self.user is not None and getattr(self.user, "pk", None):
            return f"{self.user.get_username()}"
        try:
            os_user = getpass.getuser()
        except Exception:  # pragma: no cover - no passwd entry in some containers
            os_user = "unknown"
        return f"{self.origin}:{os_user}"


_current: contextvars.ContextVar[ActorContext | None] = contextvars.ContextVar("jz_actor", default=None)


def current() -> ActorContext:
    ctx = _current.get()
    return ctx if ctx is not None else ActorContext()


def origin_for(path: str) -> str:
    """Where a request's writes come from, by its path: the admin, the API or the UI."""
    if path.startswith("/admin/"):
        return "admin"
    if path.startswith("/api/"):
        return "api"
    return "ui"


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def acting_as(user: Any, origin: str, request_id: str | None = None) -> Iterator[ActorContext]:
    ctx = ActorContext(user=user, origin=origin, request_id=request_id or new_request_id())
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def set_actor(user: Any, origin: str, request_id: str) -> contextvars.Token:
    return _current.set(ActorContext(user=user, origin=origin, request_id=request_id))


def reset(token: contextvars.Token) -> None:
    _current.reset(token)
