"""``GET /api/v1/brief/``: the caller's weekly brief, as structured sections whose items each
carry the link to their evidence (the page's, ``reviews:brief``, from the same code)."""

from __future__ import annotations

import re

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.api.permissions import request_actor
from kernel.models import Organisation
from kernel.permissions import Action, require
from kernel.tenancy import TenantScopedAPIMixin
from kernel.validators import parse_id
from kernel.web import signed_in_user
from missions.selectors import organisations_of

from ..brief import brief_to_show

SLUG_OR_ID = r"^[-a-zA-Z0-9_]{1,50}$"


class BriefItemSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="The sentence, worded from the data.")
    url = serializers.CharField(help_text="The link to its evidence (a path on this site).")
    evidence = serializers.CharField(help_text="What the link shows: KPI, finding, inbox item.")
    notes = serializers.ListField(
        child=serializers.CharField(), help_text="Lines said under it: check-in comments."
    )


class BriefSectionSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=["moved", "at_risk", "decisions", "preceded"])
    title = serializers.CharField()
    items = BriefItemSerializer(many=True)
    total = serializers.IntegerField(help_text="Items in all; those beyond the shown are counted.")
    more = serializers.IntegerField(help_text="Items not shown.")
    empty = serializers.CharField(help_text="What the section says when it has no item.")


class BriefSerializer(serializers.Serializer):
    organisation = serializers.SlugField(source="organisation.slug")
    today = serializers.DateField(help_text="The last day of the week the brief tells of.")
    week = serializers.CharField(help_text="The week, in words.")
    owns_nothing = serializers.BooleanField(
        help_text="The caller owns or leads no mission in this organisation."
    )
    summary = serializers.CharField(help_text="A few sentences that sum the brief up.")
    summarised = serializers.BooleanField(
        help_text="The summary was reworded by the operator's summariser (off by default)."
    )
    sections = BriefSectionSerializer(many=True)
    prepared_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When a worker prepared this brief, after the nightly checks (for the leaders "
        "of large parts of the cascade); null: read for this request.",
    )


class BriefApi(TenantScopedAPIMixin, APIView):
    """The caller's weekly brief of the missions they own or lead and everything below them:
    what moved, what is at risk, what needs their decision and which actions preceded
    movement, each item linked to its evidence."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "organisation",
                {"type": "string", "pattern": SLUG_OR_ID, "maxLength": 50},
                description="The organisation, by slug or id; default: the caller's first.",
            ),
            OpenApiParameter(
                "live",
                {"type": "string", "enum": ["1"]},
                description="1: read the brief now, even where one was prepared today.",
            ),
        ],
        responses=BriefSerializer,
    )
    def get(self, request: Request) -> Response:
        organisation = self._organisation(request)
        actor = request_actor(request, organisation)
        require(actor, Action.VIEW_BRIEF)
        assert actor is not None  # ``require`` refuses None
        live = request.query_params.get("live") == "1"
        return Response(BriefSerializer(brief_to_show(actor, live=live)).data)

    def _organisation(self, request: Request) -> Organisation:
        mine = organisations_of(user=signed_in_user(request))
        raw = request.query_params.get("organisation", "").strip()
        if raw and not re.fullmatch(SLUG_OR_ID, raw):
            raise ValidationError(
                {"organisation": ["Give the slug or the id of one of your organisations."]}
            )
        if raw:
            pk = parse_id(raw)
            found = mine.filter(pk=pk).first() if pk is not None else mine.filter(slug=raw).first()
        else:
            found = mine.order_by("memberships__pk").first()
        if found is None:
            raise Http404("No such organisation of yours.")
        return found
