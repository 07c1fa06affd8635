from rest_framework.routers import DefaultRouter

from . import views


def register(router: DefaultRouter) -> None:
    router.register("stakeholders", views.StakeholderViewSet, basename="stakeholder")
    router.register("challenges", views.ChallengeViewSet, basename="challenge")
    router.register("learning-groups", views.LearningGroupViewSet, basename="learning-group")
    router.register("recognitions", views.RecognitionViewSet, basename="recognition")
    router.register(
        "innovation-challenges",
        views.InnovationChallengeViewSet,
        basename="innovation-challenge",
    )
    router.register("ideas", views.IdeaViewSet, basename="idea")
    router.register("development-plans", views.DevelopmentPlanViewSet, basename="development-plan")
    router.register("coalitions", views.CoalitionViewSet, basename="coalition")
    router.register("contributions", views.ContributionViewSet, basename="contribution")
