"""What the members of a coalition read of one another, and where that happens: the one place
where a page or a job of one organisation widens its row-level security scope to others.

Every organisation page runs in a transaction limited to its organisation
(``kernel.tenancy``). A coalition's page, its services and the inbox sweep read the partners'
contributions (and the missions and KPIs contributing) inside ``members_scope``: the
coalition's members, for the block only. Inside it, what is read is chosen row by row by the
callers (the contributions aligned, the KPIs of their missions), never a partner's cascade,
people, findings or notes; and nothing read inside may be read lazily after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from kernel.models import Organisation
from kernel.tenancy import tenant_scope

from .models import Coalition, CoalitionMember, LearningGroup, LearningSession


@contextmanager
def members_scope(coalition: Coalition, also: Iterable[int] = ()) -> Iterator[None]:
    """The rows of the coalition's members (active and invited) and of ``also``, for the
    block; the scope before it afterwards."""
    ids = {pk for pk, status in coalition.member_states.items() if status in _SHARING}
    with tenant_scope(sorted(ids | set(also))):
        yield


@contextmanager
def partners_scope(organisation_id: int) -> Iterator[list[int]]:
    """The rows of every organisation that shares an active coalition with this one (itself
    included), for the block: the inbox sweep's reads of the offers made to it. Yields the
    ids of the coalitions it is active in."""
    coalitions = list(
        CoalitionMember.objects.filter(
            member_id=organisation_id, status=CoalitionMember.Status.ACTIVE
        ).values_list("coalition_id", flat=True)
    )
    partners = CoalitionMember.objects.filter(
        coalition_id__in=coalitions, status=CoalitionMember.Status.ACTIVE
    ).values_list("member_id", flat=True)
    with tenant_scope(sorted({organisation_id, *partners})):
        yield coalitions


@contextmanager
def group_scope(group: LearningGroup) -> Iterator[None]:
    """The rows of a learning group's own organisation, for the block: a member from another
    organisation of its coalition reads and writes its sessions and notes there."""
    with tenant_scope([group.organisation_id]):
        yield


def group_id_of_session(pk: int) -> int | None:
    """The learning group of session ``pk``, whichever organisation's: only its id, for the
    permission module to judge the group (a member from a partner organisation writes in it)."""
    with tenant_scope(deferred=True) as scope:
        scope.lift()
        return LearningSession.objects.filter(pk=pk).values_list("group_id", flat=True).first()


def organisation_at(address: str) -> Organisation | None:
    """The organisation whose pages are at ``/o/<address>/``, whichever it is: an invitation
    names it so. Only its name is shown to the one who invites."""
    with tenant_scope(deferred=True) as scope:
        scope.lift()
        return Organisation.objects.filter(slug=address.strip().lower()).first()


_SHARING = (CoalitionMember.Status.ACTIVE, CoalitionMember.Status.INVITED)
