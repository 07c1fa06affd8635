"""Types the apps share: the person who acts, and a request inside an organisation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import User  # the project keeps Django's user model
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from .models import Organisation
    from .permissions import Actor

__all__ = ["OrgRequest", "User"]


class OrgRequest(HttpRequest):
    """A request that ``kernel.web.org_view`` let through: from a signed-in member of the
    organisation in its URL, with that organisation and the member's standing in it."""

    user: User  # org_view admits signed-in members only
    organisation: Organisation
    actor: Actor
    htmx: HtmxDetails  # django-htmx's middleware (in MIDDLEWARE) sets it on every request
