"""Browser views of the missions app: thin, each asks ``kernel.permissions`` first."""

from kernel.web import org_view

from .cascade import cascade, cascade_children
from .exports import cascade_export_csv, cascade_export_xlsx
from .integrations import integration, integration_action, integration_replay, integrations
from .mission import (
    key_task_create,
    key_task_edit,
    key_task_update,
    kpi_create,
    link_create,
    link_edit,
    link_respond,
    mission_align,
    mission_archive,
    mission_carry_over,
    mission_create,
    mission_detail,
    mission_edit,
    mission_move_item,
    mission_propose,
    mission_send_back,
)
from .onboarding import organisation_settings, welcome
from .pages import healthz, home, notifications, start, vision
from .people import invitation_action, membership_edit, org_chart_import, people, team_edit
from .periods import periods
from .pickers import pick_members, pick_missions, pick_people, pick_teams
from .templates import mission_save_as_template, template_delete, template_library

__all__ = [
    "integration",
    "integration_action",
    "integration_replay",
    "integrations",
    "cascade",
    "cascade_children",
    "cascade_export_csv",
    "cascade_export_xlsx",
    "healthz",
    "invitation_action",
    "membership_edit",
    "team_edit",
    "organisation_settings",
    "periods",
    "welcome",
    "home",
    "key_task_create",
    "key_task_edit",
    "key_task_update",
    "kpi_create",
    "link_create",
    "link_edit",
    "link_respond",
    "mission_align",
    "mission_archive",
    "mission_carry_over",
    "mission_create",
    "mission_detail",
    "mission_edit",
    "mission_move_item",
    "mission_propose",
    "mission_save_as_template",
    "mission_send_back",
    "notifications",
    "org_chart_import",
    "pick_members",
    "pick_missions",
    "pick_people",
    "pick_teams",
    "org_view",
    "people",
    "start",
    "template_delete",
    "template_library",
    "vision",
]
