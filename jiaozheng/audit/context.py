"""Moved to ``jiaozheng.core.context`` (core sets the actor; audit reads it). Alias for old imports."""

from jiaozheng.core.context import (  # noqa: F401
    ActorContext,
    _current,
    acting_as,
    current,
    new_request_id,
    reset,
    set_actor,
)
