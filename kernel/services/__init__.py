"""The write path for the organisation and its people: teams, memberships, invitations."""

from .integrations import (
    webhook_delivery_replay,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
    webhook_send_test,
)
from .invitations import (
    invitation_accept,
    invitation_accept_as,
    invitation_create,
    invitation_for_token,
    invitation_resend,
    invitation_revoke,
    invitation_url,
    invitations_create_many,
    parse_invitation_lines,
)
from .organisations import ORGANISATION_SETTINGS, organisation_update
from .people import (
    ORG_CHART_COLUMNS,
    OrgChartPlan,
    OrgChartRow,
    membership_set,
    org_chart_import,
    org_chart_plan,
    team_create,
    team_update,
    teams_create,
)

__all__ = [
    "webhook_delivery_replay",
    "webhook_endpoint_create",
    "webhook_endpoint_delete",
    "webhook_endpoint_rotate_secret",
    "webhook_endpoint_update",
    "webhook_send_test",
    "ORGANISATION_SETTINGS",
    "organisation_update",
    "ORG_CHART_COLUMNS",
    "OrgChartPlan",
    "OrgChartRow",
    "invitation_accept",
    "invitation_accept_as",
    "invitation_create",
    "invitation_for_token",
    "invitation_resend",
    "invitation_revoke",
    "invitation_url",
    "invitations_create_many",
    "membership_set",
    "org_chart_import",
    "org_chart_plan",
    "parse_invitation_lines",
    "team_create",
    "team_update",
    "teams_create",
]
