"""The REST API under /api/v1/: each app registers its viewsets on one router."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api.tokens import ApiTokenViewSet, CurrentTokenRevokeApi
from leadership.api.urls import register as register_leadership
from measures.api.urls import register as register_measures
from missions.api.urls import register as register_missions
from reviews.api.brief import BriefApi
from reviews.api.urls import register as register_reviews

from .auth import ObtainTokenView

# No ``.json`` suffix routes: one URL per resource (``?format=json`` still works), so every
# route is one row of the security matrix (tests/test_security_matrix.py).
router = DefaultRouter()
router.include_format_suffixes = False
register_missions(router)
register_measures(router)
register_reviews(router)
register_leadership(router)
router.register("auth/tokens", ApiTokenViewSet, basename="auth-token")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("auth/token/revoke/", CurrentTokenRevokeApi.as_view(), name="auth-token-revoke-current"),
    path("brief/", BriefApi.as_view(), name="brief"),
    *router.urls,
]
