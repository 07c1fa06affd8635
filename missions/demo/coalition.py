"""The coalition of the demo's two organisations (coalition.toml), written through the
coalition services as their pages would: each step by a person of one member, inside that
member's tenant scope, so the history, the notifications and the inbox items are the ones a
real coalition leaves.

It is found by its name among the coalitions the demo organisation belongs to; a reset removes
the coalitions whose members were all demo organisations (the organisations' own rows go with
the organisations' purge).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from kernel.models import Organisation
from kernel.permissions import Actor, actor_for
from kernel.tenancy import tenant_scope
from leadership.models import Coalition, CoalitionMember, CoalitionMission, Contribution
from leadership.services import (
    coalition_answer,
    coalition_form,
    coalition_invite,
    coalition_link,
    coalition_mission_write,
    contribution_answer,
    contribution_offer,
)
from missions.demo import data
from missions.models import Mission


class MissionsGone(CommandError):
    """A mission the coalition is built on is no longer there (the users removed, renamed or
    archived it): nothing of the coalition is written."""


def find(spec: data.Coalition, organisations: Mapping[str, Organisation]) -> Coalition | None:
    """The demo's coalition, if its convener belongs to it (in whatever state the users left
    it)."""
    convener = organisations.get(spec.convened_by)
    if convener is None:
        return None
    return Coalition.objects.filter(name=spec.name, members__member=convener).order_by("pk").first()


def only_of(organisation_ids: Collection[int]) -> list[int]:
    """The coalitions whose members (in any state) are all among ``organisation_ids``: what a
    reset of those organisations removes with them."""
    ids = list(organisation_ids)
    touched = set(
        CoalitionMember.objects.filter(member_id__in=ids).values_list("coalition_id", flat=True)
    )
    shared = set(
        CoalitionMember.objects.filter(coalition_id__in=touched)
        .exclude(member_id__in=ids)
        .values_list("coalition_id", flat=True)
    )
    return sorted(touched - shared)


def remove(coalition_ids: Collection[int]) -> int:
    """Delete those coalitions, with their missions (their members' rows are gone already)."""
    deleted, _per_model = Coalition.objects.filter(pk__in=list(coalition_ids)).delete()
    return deleted


class CoalitionSeeder:
    """Builds the coalition between ``organisations`` (by slug); their missions are found by
    the titles their demo data gives them (``demos``, by slug)."""

    def __init__(
        self,
        spec: data.Coalition,
        organisations: Mapping[str, Organisation],
        demos: Mapping[str, data.Demo],
    ) -> None:
        self.spec = spec
        self.organisations = organisations
        self.demos = demos
        self.stats: Counter[str] = Counter()
        self.users = {
            user.username: user
            for user in get_user_model().objects.filter(username__in=self._usernames())
        }

    def _usernames(self) -> set[str]:
        spec = self.spec
        names = {spec.formed_by}
        names |= {i.invited_by for i in spec.invitations} | {
            i.answered_by for i in spec.invitations
        }
        names |= {m.written_by for m in spec.missions}
        names |= {c.offered_by for c in spec.contributions}
        names |= {c.aligned_by for c in spec.contributions if c.aligned_by}
        return names | {link.by for link in spec.links}

    def actor(self, username: str) -> Actor:
        """The person as one of the members sees them (the first member they belong to)."""
        user = self.users[username]
        for organisation in self.organisations.values():
            found = actor_for(user, organisation)
            if found is not None:
                return found
        raise CommandError(f"{username!r} is no member of the demo's coalition.")

    @contextmanager
    def acting(self, username: str) -> Iterator[Actor]:
        """That person, inside their organisation's scope, as its pages run a service."""
        actor = self.actor(username)
        with tenant_scope([actor.organisation.pk]):
            yield actor

    def mission_of(self, slug: str, key: str) -> Mission:
        title = self.demos[slug].mission(key).title
        organisation = self.organisations[slug]
        with tenant_scope([organisation.pk]):
            mission = (
                Mission.objects.filter(organisation=organisation, title=title)
                .exclude(status=Mission.Status.ARCHIVED)
                .first()
            )
        if mission is None:
            raise MissionsGone(
                f"{organisation.name} has no mission “{title}” any more; the coalition is not "
                "built (use --reset to rebuild the demo)."
            )
        return mission

    def run(self) -> Coalition:
        spec = self.spec
        # First: a mission the users removed stops it before anything is written.
        missions = {c.key: self.mission_of(c.member, c.mission) for c in spec.contributions}
        with self.acting(spec.formed_by) as actor:
            data = {"name": spec.name, "purpose": spec.purpose}
            coalition = coalition_form(actor=actor, data=data)
        self.stats["coalitions formed"] += 1
        for invitation in spec.invitations:
            with self.acting(invitation.invited_by) as actor:
                coalition_invite(actor=actor, coalition=coalition, address=invitation.member)
            with self.acting(invitation.answered_by) as actor:
                coalition_answer(actor=actor, coalition=coalition, join=True)
            coalition = Coalition.objects.get(pk=coalition.pk)  # its members, read afresh
            self.stats["coalition members joined"] += 1
        written: dict[str, CoalitionMission] = {}
        for m in spec.missions:
            with self.acting(m.written_by) as actor:
                written[m.key] = coalition_mission_write(
                    actor=actor, coalition=coalition, data={"title": m.title, "intent": m.intent}
                )
            self.stats["coalition missions written"] += 1
        contributions: dict[str, Contribution] = {}
        for c in spec.contributions:
            with self.acting(c.offered_by) as actor:
                contributions[c.key] = contribution_offer(
                    actor=actor, coalition_mission=written[c.to], mission=missions[c.key], how=c.how
                )
            if not c.aligned_by:
                self.stats["contributions offered"] += 1
                continue
            with self.acting(c.aligned_by) as actor:
                contributions[c.key] = contribution_answer(
                    actor=actor, contribution=contributions[c.key], align=True
                )
            self.stats["contributions aligned"] += 1
        for link in spec.links:
            with self.acting(link.by) as actor:
                coalition_link(
                    actor=actor,
                    contribution=contributions[link.contribution],
                    depends_on=contributions[link.depends_on],
                    description=link.description,
                )
            self.stats["coalition interdependencies noted"] += 1
        return coalition
