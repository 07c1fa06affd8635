from django.urls import path

from . import views

app_name = "missions"

urlpatterns = [
    path("", views.home, name="home"),
    path("vision/", views.vision, name="vision"),
    path("cascade/", views.cascade, name="cascade"),
    path("cascade/export.csv", views.cascade_export_csv, name="cascade-export-csv"),
    path("cascade/export.xlsx", views.cascade_export_xlsx, name="cascade-export-xlsx"),
    path("cascade/<int:pk>/children/", views.cascade_children, name="cascade-children"),
    path("missions/new/", views.mission_create, name="create"),
    path("missions/<int:pk>/", views.mission_detail, name="detail"),
    path("missions/<int:pk>/edit/", views.mission_edit, name="edit"),
    path("missions/<int:pk>/archive/", views.mission_archive, name="archive"),
    path("missions/<int:pk>/carry-over/", views.mission_carry_over, name="carry-over"),
    path("missions/<int:pk>/propose/", views.mission_propose, name="propose"),
    path("missions/<int:pk>/align/", views.mission_align, name="align"),
    path("missions/<int:pk>/send-back/", views.mission_send_back, name="send-back"),
    path("missions/<int:pk>/kpis/new/", views.kpi_create, name="kpi-create"),
    path("missions/<int:pk>/key-tasks/new/", views.key_task_create, name="key-task-create"),
    path("missions/<int:pk>/links/new/", views.link_create, name="link-create"),
    path("missions/<int:pk>/move/", views.mission_move_item, name="move-item"),
    path("key-tasks/<int:pk>/", views.key_task_update, name="key-task-update"),
    path("links/<int:pk>/respond/", views.link_respond, name="link-respond"),
    path("pick/missions/", views.pick_missions, name="pick-missions"),
    path("pick/people/", views.pick_people, name="pick-people"),
    path("pick/teams/", views.pick_teams, name="pick-teams"),
    path("pick/members/", views.pick_members, name="pick-members"),
    path("notifications/", views.notifications, name="notifications"),
    path("people/", views.people, name="people"),
    path("people/import/", views.org_chart_import, name="org-chart-import"),
    path("people/<int:pk>/", views.membership_edit, name="membership-edit"),
    path(
        "invitations/<int:pk>/resend/",
        views.invitation_action,
        {"action": "resend"},
        name="invitation-resend",
    ),
    path(
        "invitations/<int:pk>/revoke/",
        views.invitation_action,
        {"action": "revoke"},
        name="invitation-revoke",
    ),
    path("settings/", views.organisation_settings, name="settings"),
    path("welcome/", views.welcome, name="welcome"),
]
