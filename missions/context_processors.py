from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def organisation(request: HttpRequest) -> dict[str, Any]:
    """The organisation and the user's standing in it, set by ``views.org_view``."""
    return {
        "organisation": getattr(request, "organisation", None),
        "actor": getattr(request, "actor", None),
    }
