"""Reads for the missions app: querysets that already carry visibility and prefetching.

Callers import from here; the modules split the reads by concern.
"""

from .cascade import (
    ancestor_titles,
    cascade_branches,
    cascade_children,
    cascade_roots,
    cascade_search,
    key_tasks_of,
    links_from,
    links_to,
    mission_ancestors,
    mission_list_visible_to,
    mission_subtree,
    mission_tree,
    missions_owned_by,
    problems_q,
    search_page,
    top_missions,
)
from .history import AlignmentConversation, alignment_conversation, mission_history
from .inbox import (
    key_tasks_of_actor,
)
from .members import (
    interdependencies_for_member,
    key_tasks_for_member,
    mission_templates_for_member,
    missions_for_member,
    organisations_of,
    periods_for_member,
    teams_for_member,
    visions_for_member,
)
from .organisations import (
    memberships_of,
    onboarding_steps,
    open_invitations,
    teams_with_counts,
    vision_of,
)
from .owners import key_task_owner_people, mission_owner_people, mission_owner_teams
from .pickers import (
    PICK_LIMIT,
    mission_suggestions,
    missions_named,
    people_named,
    person_suggestions,
)
from .templates import mission_initial_of, template_for_key, templates_of, templates_offered

__all__ = [
    "PICK_LIMIT",
    "AlignmentConversation",
    "alignment_conversation",
    "ancestor_titles",
    "cascade_branches",
    "cascade_children",
    "cascade_roots",
    "cascade_search",
    "interdependencies_for_member",
    "key_task_owner_people",
    "key_tasks_for_member",
    "key_tasks_of",
    "key_tasks_of_actor",
    "links_from",
    "links_to",
    "memberships_of",
    "mission_ancestors",
    "mission_history",
    "mission_list_visible_to",
    "mission_owner_people",
    "mission_owner_teams",
    "mission_subtree",
    "mission_suggestions",
    "mission_tree",
    "missions_for_member",
    "missions_named",
    "missions_owned_by",
    "onboarding_steps",
    "open_invitations",
    "organisations_of",
    "people_named",
    "person_suggestions",
    "problems_q",
    "search_page",
    "mission_initial_of",
    "mission_templates_for_member",
    "template_for_key",
    "templates_of",
    "templates_offered",
    "teams_for_member",
    "teams_with_counts",
    "top_missions",
    "vision_of",
    "periods_for_member",
    "visions_for_member",
]
