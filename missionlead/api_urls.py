"""The REST API under /api/v1/: each app registers its viewsets on one router."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from measures.api.urls import register as register_measures
from missions.api.urls import register as register_missions
from reviews.api.urls import register as register_reviews

router = DefaultRouter()
register_missions(router)
register_measures(router)
register_reviews(router)

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    *router.urls,
]
