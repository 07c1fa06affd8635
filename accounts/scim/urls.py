"""SCIM 2.0 (``scim:…``), under ``/scim/v2/``: resource names as RFC 7644 spells them."""

from django.urls import path

from . import views

app_name = "scim"

urlpatterns = [
    path(
        "ServiceProviderConfig",
        views.ScimServiceProviderConfigApi.as_view(),
        name="service-provider-config",
    ),
    path("ResourceTypes", views.ScimResourceTypesApi.as_view(), name="resource-types"),
    path("ResourceTypes/<str:item_id>", views.ScimResourceTypesApi.as_view(), name="resource-type"),
    path("Schemas", views.ScimSchemasApi.as_view(), name="schemas"),
    path("Schemas/<str:item_id>", views.ScimSchemasApi.as_view(), name="schema"),
    path("Users", views.ScimUsersApi.as_view(), name="users"),
    path("Users/<str:scim_id>", views.ScimUserApi.as_view(), name="user"),
    path("Groups", views.ScimGroupsApi.as_view(), name="groups"),
    path("Groups/<str:scim_id>", views.ScimGroupApi.as_view(), name="group"),
]
