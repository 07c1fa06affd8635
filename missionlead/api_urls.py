"""The REST API under /api/v1/: each app registers its viewsets on one router."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from missions.api.urls import register as register_missions

router = DefaultRouter()
register_missions(router)

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    *router.urls,
]
