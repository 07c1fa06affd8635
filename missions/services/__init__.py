"""Writes for the missions app: one function per use case, each atomic and attributed.

Callers import from here; the modules split the use cases by concern.
"""

from .alignment import (
    mission_align,
    mission_propose,
    mission_reopen_alignment,
    mission_send_back,
)
from .carry_over import mission_carry_over, mission_next_period
from .errors import StateConflict
from .invitations import (
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_resend,
    invitation_revoke,
    invitations_create_many,
    parse_invitation_lines,
)
from .missions import (
    MISSION_FIELDS,
    ConflictError,
    mission_archive,
    mission_check_parent,
    mission_create,
    mission_update,
)
from .notifications import (
    mission_owners,
    notifications_mark_read,
    notify,
)
from .organisations import ORGANISATION_SETTINGS, organisation_create, organisation_update
from .people import (
    ORG_CHART_COLUMNS,
    OrgChartPlan,
    membership_set,
    org_chart_import,
    org_chart_plan,
    team_create,
    team_update,
)
from .vision import VISION_FIELDS, vision_update
from .work import (
    KEY_TASK_FIELDS,
    interdependency_create,
    interdependency_respond,
    key_task_create,
    key_task_move,
    key_task_update,
)

__all__ = [
    "ConflictError",
    "StateConflict",
    "ORGANISATION_SETTINGS",
    "invitation_accept",
    "invitation_create",
    "invitation_for_token",
    "invitation_resend",
    "invitation_revoke",
    "invitations_create_many",
    "organisation_create",
    "organisation_update",
    "parse_invitation_lines",
    "ORG_CHART_COLUMNS",
    "OrgChartPlan",
    "membership_set",
    "org_chart_import",
    "org_chart_plan",
    "KEY_TASK_FIELDS",
    "MISSION_FIELDS",
    "VISION_FIELDS",
    "interdependency_create",
    "interdependency_respond",
    "key_task_create",
    "key_task_move",
    "key_task_update",
    "mission_align",
    "mission_archive",
    "mission_carry_over",
    "mission_check_parent",
    "mission_create",
    "mission_next_period",
    "mission_owners",
    "mission_propose",
    "mission_reopen_alignment",
    "mission_send_back",
    "mission_update",
    "notifications_mark_read",
    "notify",
    "team_create",
    "team_update",
    "vision_update",
]
