from rest_framework.routers import DefaultRouter

from . import views


def register(router: DefaultRouter) -> None:
    router.register("organisations", views.OrganisationViewSet, basename="organisation")
    router.register("teams", views.TeamViewSet, basename="team")
    router.register("visions", views.VisionViewSet, basename="vision")
    router.register("periods", views.PeriodViewSet, basename="period")
    router.register("missions", views.MissionViewSet, basename="mission")
    router.register("key-tasks", views.KeyTaskViewSet, basename="key-task")
    router.register("interdependencies", views.InterdependencyViewSet, basename="interdependency")
    router.register("mission-templates", views.MissionTemplateViewSet, basename="mission-template")
    router.register("invitations", views.InvitationViewSet, basename="invitation")
    router.register("webhooks", views.WebhookEndpointViewSet, basename="webhook")
