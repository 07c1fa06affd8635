"""The refusals the services share beyond a plain ``ValidationError``."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class StateConflict(ValidationError):
    """The object's current state refuses the action, whatever the request said: a review
    already held, a link already resolved, a mission already aligned. The API answers 409
    Conflict, not 400: the request was well formed, and may be right again later."""
