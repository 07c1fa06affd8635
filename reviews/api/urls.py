from rest_framework.routers import DefaultRouter

from . import views


def register(router: DefaultRouter) -> None:
    router.register("reviews", views.ReviewViewSet, basename="review")
    router.register("findings", views.FindingViewSet, basename="finding")
    router.register("notifications", views.NotificationViewSet, basename="notification")
    router.register("inbox", views.InboxViewSet, basename="inbox")
    router.register("comments", views.CommentViewSet, basename="comment")
