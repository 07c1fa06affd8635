"""The refusals the services share beyond a plain ``ValidationError``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class StateConflict(ValidationError):
    """The object's current state refuses the action, whatever the request said: a review
    already held, a link already resolved, a mission already aligned. The API answers 409
    Conflict, not 400: the request was well formed, and may be right again later."""


class EditConflict(StateConflict):
    """Someone changed the object between the caller's read and this write (an edit form's
    version, an ``If-Match``), so the write is refused; the message says who did, and when.
    ``current`` is the object as stored now."""

    def __init__(self, message: str, *, current: Any) -> None:
        super().__init__(message, code="conflict")
        self.current = current
