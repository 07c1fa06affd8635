"""Writes for the missions app: one function per use case, each atomic and attributed.

Callers import from here; the modules split the use cases by concern.
"""

from .alignment import (
    mission_align,
    mission_propose,
    mission_reopen_alignment,
    mission_send_back,
)
from .carry_over import mission_copy_forward, mission_next_period, mission_next_planning_period
from .missions import (
    MISSION_FIELDS,
    ConflictError,
    mission_archive,
    mission_check_parent,
    mission_create,
    mission_update,
    request_alignment,
)
from .organisations import organisation_create
from .periods import (
    PERIOD_FIELDS,
    fiscal_year_name,
    period_create,
    period_next,
    period_update,
    periods_generate_year,
)
from .templates import TEMPLATE_FIELDS, mission_template_create, mission_template_delete
from .vision import VISION_FIELDS, vision_update
from .work import (
    KEY_TASK_FIELDS,
    interdependency_create,
    interdependency_respond,
    interdependency_update,
    key_task_create,
    key_task_move,
    key_task_update,
)

__all__ = [
    "ConflictError",
    "organisation_create",
    "KEY_TASK_FIELDS",
    "MISSION_FIELDS",
    "TEMPLATE_FIELDS",
    "mission_template_create",
    "mission_template_delete",
    "VISION_FIELDS",
    "request_alignment",
    "interdependency_create",
    "interdependency_respond",
    "interdependency_update",
    "key_task_create",
    "key_task_move",
    "key_task_update",
    "mission_align",
    "mission_archive",
    "mission_copy_forward",
    "mission_check_parent",
    "mission_create",
    "mission_next_period",
    "mission_next_planning_period",
    "PERIOD_FIELDS",
    "fiscal_year_name",
    "period_create",
    "period_next",
    "period_update",
    "periods_generate_year",
    "mission_propose",
    "mission_reopen_alignment",
    "mission_send_back",
    "mission_update",
    "vision_update",
]
