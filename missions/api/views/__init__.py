"""API views of the missions app, one module per resource; ``missions.api.urls`` registers
the viewsets exported here.

Querysets come from selectors (the caller's organisations only, so another organisation's
object answers 404); object permissions from ``missions.permissions`` through
``ActorPermission``; writes through ``missions.services``.
"""

from .integrations import WebhookEndpointViewSet
from .missions import MissionViewSet
from .organisations import OrganisationViewSet, PeriodViewSet, VisionViewSet
from .people import InvitationViewSet, TeamViewSet
from .templates import MissionTemplateViewSet
from .work import InterdependencyViewSet, KeyTaskViewSet

__all__ = [
    "InterdependencyViewSet",
    "InvitationViewSet",
    "KeyTaskViewSet",
    "MissionTemplateViewSet",
    "MissionViewSet",
    "OrganisationViewSet",
    "PeriodViewSet",
    "TeamViewSet",
    "VisionViewSet",
    "WebhookEndpointViewSet",
]
