"""The leadership pages, under ``/o/<org>/``."""

from django.urls import path

from . import views
from .views import coalitions, development, innovation

app_name = "leadership"

urlpatterns = [
    path("influence/", views.influence, name="influence"),
    path("missions/<int:pk>/stakeholders/", views.mission_map, name="mission-map"),
    path("stakeholders/<int:pk>/", views.stakeholder, name="stakeholder"),
    path("stakeholders/<int:pk>/edit/", views.stakeholder_edit, name="stakeholder-edit"),
    path("stakeholders/<int:pk>/contacts/", views.contact_create, name="contact-create"),
    path("stakeholders/<int:pk>/remove/", views.stakeholder_remove, name="stakeholder-remove"),
    path("missions/<int:pk>/challenges/", views.challenge_create, name="challenge-create"),
    path("challenges/<int:pk>/answer/", views.challenge_answer, name="challenge-answer"),
    path("recognition/", views.recognition, name="recognition"),
    path("learning/", views.learning, name="learning"),
    path("learning/<int:pk>/", views.learning_group, name="learning-group"),
    path("learning/<int:pk>/edit/", views.learning_group_edit, name="learning-group-edit"),
    path("learning/<int:pk>/sessions/", views.learning_session_create, name="learning-session"),
    path("learning/<int:pk>/join/", views.learning_group_join, name="learning-group-join"),
    path("learning/<int:pk>/leave/", views.learning_group_leave, name="learning-group-leave"),
    path("learning/sessions/<int:pk>/notes/", views.session_note_create, name="session-note"),
    # Development plans on the four behaviour themes.
    path("development/", development.development, name="development"),
    path("development/<int:pk>/", development.development_plan, name="development-plan"),
    path("development/<int:pk>/goals/", development.development_goal_add, name="development-goal"),
    path(
        "development/goals/<int:pk>/edit/",
        development.development_goal_edit,
        name="development-goal-edit",
    ),
    path(
        "development/goals/<int:pk>/evidence/",
        development.development_evidence_add,
        name="development-evidence",
    ),
    path(
        "development/<int:pk>/ask-review/",
        development.development_review_ask,
        name="development-ask-review",
    ),
    path(
        "development/<int:pk>/reviews/",
        development.development_review_hold,
        name="development-review",
    ),
    # Innovation: challenges and the idea exchange.
    path("innovation/", innovation.innovation, name="innovation"),
    path("missions/<int:pk>/innovation/", innovation.innovation_open, name="innovation-open"),
    path("innovation/<int:pk>/", innovation.innovation_challenge, name="innovation-challenge"),
    path("innovation/<int:pk>/close/", innovation.innovation_close, name="innovation-close"),
    path("ideas/<int:pk>/", innovation.idea, name="idea"),
    path("ideas/<int:pk>/edit/", innovation.idea_edit, name="idea-edit"),
    path("ideas/<int:pk>/support/", innovation.idea_support, name="idea-support"),
    path("ideas/<int:pk>/comments/", innovation.idea_comment, name="idea-comment"),
    path("ideas/<int:pk>/shortlist/", innovation.idea_shortlist, name="idea-shortlist"),
    path("ideas/<int:pk>/adopt/task/", innovation.idea_adopt_task, name="idea-adopt-task"),
    path("ideas/<int:pk>/adopt/mission/", innovation.idea_adopt_mission, name="idea-adopt-mission"),
    # Coalitions: missions shared across organisations.
    path("coalitions/", coalitions.coalitions, name="coalitions"),
    path("coalitions/<int:pk>/", coalitions.coalition, name="coalition"),
    path("coalitions/<int:pk>/edit/", coalitions.coalition_edit, name="coalition-edit"),
    path("coalitions/<int:pk>/invite/", coalitions.coalition_invite, name="coalition-invite"),
    path("coalitions/<int:pk>/answer/", coalitions.coalition_answer, name="coalition-answer"),
    path("coalitions/<int:pk>/leave/", coalitions.coalition_leave, name="coalition-leave"),
    path(
        "coalitions/<int:pk>/missions/",
        coalitions.coalition_mission_add,
        name="coalition-mission",
    ),
    path("coalitions/<int:pk>/offer/", coalitions.contribution_offer, name="contribution-offer"),
    path("coalitions/<int:pk>/links/", coalitions.coalition_link_add, name="coalition-link"),
    path(
        "contributions/<int:pk>/answer/",
        coalitions.contribution_answer,
        name="contribution-answer",
    ),
    path(
        "contributions/<int:pk>/withdraw/",
        coalitions.contribution_withdraw,
        name="contribution-withdraw",
    ),
]
