"""API views of the missions app; querysets come from selectors that apply visibility."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from .. import selectors
from ..models import Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "slug", "name", "review_cadence_days", "max_active_missions"]


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """The organisations the caller belongs to."""

    serializer_class = OrganisationSerializer

    def get_queryset(self) -> QuerySet[Organisation]:
        return selectors.organisations_of(user=self.request.user)
