"""What the management commands share: the organisations a ``--org SLUG`` option names."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db.models import QuerySet

from .models import Organisation


def organisations_named(slug: str | None) -> QuerySet[Organisation]:
    """The organisation of ``slug``, or every organisation without one (by slug); a slug
    that names none is the command's error."""
    organisations = Organisation.objects.order_by("slug")
    if slug:
        organisations = organisations.filter(slug=slug)
        if not organisations.exists():
            raise CommandError(f"No organisation with the slug {slug!r}.")
    return organisations
