"""Dashboards, the heat map and coaching notes, under ``/o/<org>/``."""

from django.urls import path

from . import dashboard_views as views

app_name = "dashboards"

urlpatterns = [
    path("dashboard/", views.organisation_dashboard, name="organisation"),
    path("dashboard/export.csv", views.organisation_export, name="organisation-export"),
    path("dashboard/teams/<int:pk>/", views.team_dashboard, name="team"),
    path("dashboard/teams/<int:pk>/export.csv", views.team_export, name="team-export"),
    path("dashboard/teams/<int:pk>/print/", views.team_print, name="team-print"),
    path("dashboard/heatmap/", views.heatmap, name="heatmap"),
    path("dashboard/heatmap/<int:pk>/children/", views.heatmap_children, name="heatmap-children"),
    path("coaching/", views.coaching, name="coaching"),
    path("coaching/pick/", views.coaching_pick, name="coaching-pick"),
]
