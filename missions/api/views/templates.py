"""The organisation's own mission templates: listed, read and removed (their author or an
organisation admin removes one, as in the library page)."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import mixins, viewsets

from kernel.tenancy import TenantScopedAPIMixin
from kernel.web import signed_in_user

from ... import selectors, services
from ...models import MissionTemplate
from .. import serializers as s
from .common import API_PERMISSIONS


class MissionTemplateViewSet(
    TenantScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[MissionTemplate],
):
    """Mission templates of the caller's organisations; ``DELETE`` removes one (its author or
    an organisation admin: ``Action.ARCHIVE``). The product's own templates are not rows: the
    pages offer them."""

    queryset = MissionTemplate.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = s.MissionTemplateSerializer
    permission_classes = API_PERMISSIONS
    ordering_fields = ["id", "name", "created_at"]

    def get_queryset(self) -> QuerySet[MissionTemplate]:
        return selectors.mission_templates_for_member(
            user=signed_in_user(self.request)
        ).select_related("organisation")

    def perform_destroy(self, instance: MissionTemplate) -> None:
        services.mission_template_delete(template=instance, by=signed_in_user(self.request))
