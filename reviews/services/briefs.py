"""The weekly brief by email: once a week, from Monday at ``MISSIONLEAD_DIGEST_HOUR`` in each
leader's time zone, one email per organisation with their brief (``reviews.brief``).

Claimed once and sent exactly once, as the digest is (``digests.py``, whose steps this
follows): the hourly sweep (``briefs_claim``) inserts one ``BriefClaim`` per organisation,
person and ISO week whose hour has come, the unique constraint making a second sweep insert
nothing, and returns every claim not sent yet; ``brief_send`` marks a claim sent with a
conditional UPDATE and, in the same transaction, builds the brief and hands its email to the
mail backend. A database that goes away after the email and before the commit raises
``BriefEmailedNotRecorded``: the retry records the claim without a second email. The email's
Message-ID is the claim's, so a copy sent in the one window no sender can close is the same
message.

Who gets one: active members with an address, whose ``Profile.brief`` is not off, who own or
lead a mission of the organisation that is not archived. A brief with nothing in it is
recorded with ``items = 0``, and not emailed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import DatabaseError, InterfaceError, transaction
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from kernel.models import Membership, Organisation
from kernel.permissions import actor_for
from kernel.preferences import BRIEF, unsubscribe_url
from kernel.tenancy import tenant_scope
from missionlead.emails import EmailedNotRecorded, absolute_url, send_email
from missions.models import Mission

from ..brief import Brief, brief_for, plain
from ..models import BriefClaim
from .digests import digest_period, zone_of

logger = logging.getLogger(__name__)
User = get_user_model()


@dataclass
class BriefSweepResult:
    claimed: int
    sent: int = 0  # emailed
    empty: int = 0  # nothing to say: recorded, not emailed
    failed: int = 0  # raised while sending: logged, tried again next sweep


def _readers() -> Any:
    """(organisation, person, time zone name) of every brief there may be: members who own
    or lead a mission there that is not archived, with an address, who did not turn the brief
    off. One query."""
    owns = Mission.objects.filter(
        Q(owner_user_id=OuterRef("user_id"))
        | Q(owner_user__isnull=True, owner_team__leader_id=OuterRef("user_id")),
        organisation_id=OuterRef("organisation_id"),
    ).exclude(status=Mission.Status.ARCHIVED)
    return (
        Membership.objects.filter(Exists(owns), user__is_active=True, deactivated_at=None)
        .exclude(user__email="")
        .annotate(
            brief=Coalesce("user__profile__brief", Value(Profile.DEFAULT_BRIEF)),
            zone_name=Coalesce(
                NullIf("user__profile__time_zone", Value("")), "organisation__time_zone"
            ),
        )
        .exclude(brief=Profile.Brief.OFF)
        .order_by("pk")
        .values_list("organisation_id", "user_id", "zone_name")
    )


def briefs_claim(*, now: dt.datetime | None = None, batch: int = 2000) -> list[int]:
    """Claim the briefs due now; return the ids of every claim not sent yet."""
    now = now or timezone.now()
    due: dict[tuple[int, int], str] = {}
    for organisation_id, user_id, zone_name in _readers().iterator(chunk_size=batch):
        period = digest_period(frequency=Profile.Digest.WEEKLY, zone=zone_of(zone_name), now=now)
        if period is not None:
            due[(organisation_id, user_id)] = period.key
    claimed = set(
        BriefClaim.objects.filter(period__in=set(due.values())).values_list(
            "organisation_id", "user_id", "period"
        )
    )
    BriefClaim.objects.bulk_create(
        [
            BriefClaim(organisation_id=org_id, user_id=user_id, period=key)
            for (org_id, user_id), key in due.items()
            if (org_id, user_id, key) not in claimed
        ],
        ignore_conflicts=True,
        batch_size=batch,
    )
    return list(
        BriefClaim.objects.filter(sent_at__isnull=True).order_by("id").values_list("id", flat=True)
    )


class BriefEmailedNotRecorded(EmailedNotRecorded):
    what = "Brief"


def brief_send(*, claim_id: int, with_email: bool = True) -> bool:
    """Send one claimed brief, exactly once. True if this call sent (or recorded) it.

    ``with_email=False`` records it without emailing: the retry after
    ``BriefEmailedNotRecorded``, whose email is out already.
    """
    emailed = False
    try:
        with transaction.atomic():
            claimed = BriefClaim.objects.filter(pk=claim_id, sent_at__isnull=True).update(
                sent_at=timezone.now()
            )
            if claimed != 1:
                return False  # sent already by someone else, or gone
            claim = BriefClaim.objects.select_related("user", "organisation").get(pk=claim_id)
            user, organisation = claim.user, claim.organisation
            profile = Profile.objects.filter(user=user).first()
            wanted = bool(user.email) and (profile is None or profile.brief != Profile.Brief.OFF)
            actor = actor_for(user, organisation) if wanted else None
            brief = None
            if actor is not None:
                with tenant_scope([organisation.pk]):
                    brief = brief_for(actor=actor)
            items = brief.items if brief is not None and not brief.owns_nothing else 0
            BriefClaim.objects.filter(pk=claim_id).update(items=items)
            if items and with_email and brief is not None:
                zone = zone_of((profile.time_zone if profile else "") or organisation.time_zone)
                with timezone.override(zone):
                    send_email(
                        name="brief",
                        key=f"brief-{claim.pk}",
                        to=[user.email],
                        context=_email_context(claim, brief),
                    )
                emailed = True
    except (DatabaseError, InterfaceError) as error:
        if emailed:
            raise BriefEmailedNotRecorded(claim_id) from error
        raise
    return True


def _email_context(claim: BriefClaim, brief: Brief) -> dict[str, Any]:
    organisation: Organisation = claim.organisation
    return {
        "organisation": organisation,
        "brief": brief,
        "text": plain(brief, link=absolute_url),
        "site_url_prefix": absolute_url(""),
        "page_url": absolute_url(reverse("reviews:brief", kwargs={"org": organisation.slug})),
        "unsubscribe_url": unsubscribe_url(user_id=claim.user_id, topic=BRIEF),
    }


def briefs_send_due(*, now: dt.datetime | None = None, progress: Any = None) -> BriefSweepResult:
    """Claim and send every brief due, in this process (the command)."""
    ids = briefs_claim(now=now)
    result = BriefSweepResult(claimed=len(ids))
    sent = []
    for done, pk in enumerate(ids, start=1):
        try:
            if brief_send(claim_id=pk):
                sent.append(pk)
        except Exception:
            logger.exception("Brief sweep: brief %s not sent.", pk)
            result.failed += 1
        if progress is not None:
            progress(done, len(ids))
    result.sent = BriefClaim.objects.filter(pk__in=sent, items__gt=0).count()
    result.empty = len(sent) - result.sent
    return result
