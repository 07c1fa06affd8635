"""A new organisation started without the Django admin: its vision, top team and founder."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kernel.audit import audit_record
from kernel.models import AuditEvent, Membership, Organisation
from kernel.services.people import membership_set, team_create

from ..models import Vision

if TYPE_CHECKING:
    from kernel.types import User

# Slugs that would read as the product's own pages in /o/<slug>/ or confuse people.
RESERVED_SLUGS = frozenset({"admin", "api", "accounts", "signup", "static", "new", "o"})


@transaction.atomic
def organisation_create(
    *, name: str, slug: str, top_team: str, time_zone: str = "UTC", by: User
) -> Organisation:
    """A new organisation with ``by`` as its admin and the leader of its top team.

    The founder leads the top team, so they may write the vision and the organisation's
    missions straight away; the onboarding checklist takes it from there.
    """
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": f"“{slug}” is reserved; choose another."})
    organisation = Organisation(name=name, slug=slug, time_zone=time_zone)
    organisation.full_clean()  # a taken slug is a field error here
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as error:  # taken at the same moment by someone else
        raise ValidationError({"slug": "This address is taken; choose another."}) from error
    Vision.objects.create(organisation=organisation, updated_by=by)
    team = team_create(organisation=organisation, name=top_team, leader=by, by=by)
    membership_set(organisation=organisation, user=by, role=Membership.Role.ADMIN, team=team, by=by)
    audit_record(obj=organisation, organisation=organisation, verb=AuditEvent.Verb.CREATED, by=by)
    return organisation
