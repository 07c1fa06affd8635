"""Input and output shapes of the missions API. Writes go through ``missions.services``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet
from rest_framework import serializers

from kernel.models import AuditEvent, Invitation, Organisation, Team
from kernel.validators import DecisionRightsValidator, parse_id, validate_line, validate_text
from missionlead.serializers import ModelSerializer, TextField

from ..models import Interdependency, KeyTask, Mission, MissionTemplate, Period, Vision
from ..services.alignment import SEND_BACK_NEEDS_A_REASON


class IdField(serializers.PrimaryKeyRelatedField):
    """A related object by its id: an integer or a string of digits, nothing else.

    DRF's own field hands the value to the query, which reads 1.5 as 1 (and an id written
    "1.0" or with a superscript digit fails inside the database layer instead of here). A
    JSON ``12.0`` is the integer 12, as JSON Schema counts it.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, float) and data.is_integer():
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        pk = parse_id(data)
        if pk is None:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(pk)


class MemberScopedField(IdField):
    """A related object of one of the caller's organisations; others do not exist."""

    def get_queryset(self) -> QuerySet[Model] | None:
        queryset = super().get_queryset()
        if queryset is None:  # a read-only field has none, as in DRF's own
            return None
        request = self.context.get("request")
        if request is None:
            return queryset.none()
        user = request.user
        if queryset.model is Organisation:
            return queryset.filter(memberships__user=user)
        if queryset.model is get_user_model():
            return queryset.filter(memberships__organisation__memberships__user=user).distinct()
        if hasattr(queryset.model, "organisation"):
            return queryset.filter(organisation__memberships__user=user)
        return queryset.filter(mission__organisation__memberships__user=user)


def scoped_field(model: type[Model], **kwargs: Any) -> MemberScopedField:
    """A field of an object of ``model`` in one of the caller's organisations, by its id."""
    return MemberScopedField(queryset=model._default_manager.all(), **kwargs)


class OrganisationSerializer(ModelSerializer):
    class Meta:
        model = Organisation
        fields = [
            "id",
            "slug",
            "name",
            "review_cadence_days",
            "max_active_missions",
            "likely_miss_below",
            "staff_see_dashboard",
            "currency",
            "time_zone",
        ]


class TeamSerializer(ModelSerializer):
    organisation = scoped_field(Organisation)
    parent = scoped_field(Team, allow_null=True, required=False)  # type: ignore[assignment]  # DRF's metaclass moves declared fields out of the class: no clash with Field.parent
    leader = scoped_field(get_user_model(), allow_null=True, required=False)

    class Meta:
        model = Team
        fields = ["id", "organisation", "name", "parent", "leader"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        organisation = attrs.get("organisation")
        if organisation is None:  # required on create: only a change may leave it out
            assert self.instance is not None
            organisation = self.instance.organisation
        parent = attrs.get("parent")
        if parent is not None and parent.organisation_id != organisation.pk:
            raise serializers.ValidationError({"parent": "That team is in another organisation."})
        return attrs


class VisionSerializer(ModelSerializer):
    organisation = scoped_field(Organisation)

    class Meta:
        model = Vision
        fields = [
            "id",
            "organisation",
            "purpose",
            "vision",
            "horizon",
            "success_picture",
            "ceo_intent",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


def _rights_bounds() -> DecisionRightsValidator:
    """The bounds of ``Mission.decision_rights``, as its model field declares them."""
    field = Mission._meta.get_field("decision_rights")
    return next(v for v in field.validators if isinstance(v, DecisionRightsValidator))


def _rights_list() -> serializers.ListField:
    bounds = _rights_bounds()
    return serializers.ListField(
        child=TextField(max_length=bounds.max_length, validators=[validate_line]),
        max_length=bounds.max_items,
        required=False,
    )


class DecisionRightsSerializer(serializers.Serializer):
    """What the owner is free to decide, must consult on, and must not do: lists of lines."""

    free = _rights_list()
    consult = _rights_list()
    must_not = _rights_list()


class OperatingSpaceSerializer(ModelSerializer):
    """The boundaries inside which the owner decides freely: the mission's own fields, with
    their types and bounds from the model."""

    # The pages read these three lists; anything else (a string, other keys) is refused here
    # rather than stored for a page to trip over.
    decision_rights = DecisionRightsSerializer(required=False)

    class Meta:
        model = Mission
        fields = ["deadline", "scope", "budget", "headcount", "constraints", "decision_rights"]
        extra_kwargs = {name: {"required": False} for name in fields}


class PeriodSerializer(ModelSerializer):
    """One of the organisation's planning periods (its admins define them on the Periods
    page): a year, or a quarter whose ``parent`` is its year."""

    class Meta:
        model = Period
        fields = ["id", "organisation", "name", "parent", "starts_on", "ends_on"]
        read_only_fields = fields


class MissionSerializer(ModelSerializer):
    organisation = scoped_field(Organisation, required=False)
    parent = scoped_field(Mission, allow_null=True, required=False)  # type: ignore[assignment]  # DRF's metaclass moves declared fields out of the class: no clash with Field.parent
    owner_team = scoped_field(Team, allow_null=True, required=False)
    owner_user = scoped_field(get_user_model(), allow_null=True, required=False)
    period = scoped_field(
        Period,
        allow_null=True,
        required=False,
        help_text="One of the organisation's planning periods; the mission then runs for it "
        "(its period_start and period_end are the period's).",
    )
    operating_space = OperatingSpaceSerializer(source="*", required=False)

    class Meta:
        model = Mission
        fields = [
            "id",
            "organisation",
            "level",
            "title",
            "statement",
            "intent",
            "parent",
            "owner_team",
            "owner_user",
            "period",
            "period_start",
            "period_end",
            "status",
            "alignment_status",
            "operating_space",
            "review_cadence_days",
            "next_review_due",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "alignment_status", "next_review_due"]
        # Given a period, the dates are the period's: they may be left out.
        extra_kwargs = {
            "period_start": {"required": False},
            "period_end": {"required": False},
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        parent = attrs.get("parent", self.instance.parent if self.instance else None)
        organisation: Organisation | None
        if self.instance is not None:
            organisation = self.instance.organisation
        else:
            organisation = attrs.get("organisation") or self._implied_organisation(attrs)
            if organisation is None:
                raise serializers.ValidationError(
                    {"organisation": "Say which organisation (you belong to several)."}
                )
            attrs["organisation"] = organisation
        errors = {}
        if parent is not None and parent.organisation_id != organisation.pk:
            errors["parent"] = "The parent mission belongs to another organisation."
        team = attrs.get("owner_team")
        if team is not None and team.organisation_id != organisation.pk:
            errors["owner_team"] = "That team belongs to another organisation."
        user = attrs.get("owner_user")
        if user is not None and not user.memberships.filter(organisation=organisation).exists():
            errors["owner_user"] = "That person is not a member of the organisation."
        period = attrs.get("period")
        if period is not None and period.organisation_id != organisation.pk:
            errors["period"] = "That period belongs to another organisation."
        elif period is not None:
            attrs["period_start"], attrs["period_end"] = period.starts_on, period.ends_on
        elif self.instance is None and "period" not in errors:
            for name in ("period_start", "period_end"):
                if attrs.get(name) is None:
                    errors[name] = "Give the date, or a period."
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def _implied_organisation(self, attrs: dict[str, Any]) -> Organisation | None:
        """The organisation of a new mission that does not name one: its parent's, its owner
        team's, or the caller's only one."""
        for related in (attrs.get("parent"), attrs.get("owner_team")):
            if related is not None:
                return related.organisation
        request = self.context.get("request")
        if request is None:
            return None
        mine = list(Organisation.objects.filter(memberships__user=request.user)[:2])
        return mine[0] if len(mine) == 1 else None


class MissionTreeSerializer(serializers.Serializer):
    """One node of ``GET /missions/<id>/tree/``: a mission's main fields and its children.

    The view builds the nested dicts itself in one query (``selectors.mission_tree``); this
    serializer describes them for the schema.
    """

    id = serializers.IntegerField()
    parent_id = serializers.IntegerField(allow_null=True)
    level = serializers.ChoiceField(choices=Mission.Level.choices)
    title = TextField()
    owner_team_id = serializers.IntegerField(allow_null=True)
    owner_user_id = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=Mission.Status.choices)
    alignment_status = serializers.ChoiceField(choices=Mission.AlignmentStatus.choices)
    period_start = serializers.DateField()
    period_end = serializers.DateField()


# Each node's children are nodes too: a recursive component in the schema.
MissionTreeSerializer._declared_fields["children"] = MissionTreeSerializer(many=True)


class AlignmentActionSerializer(serializers.Serializer):
    """A comment with the decision; sending back needs one (what to change). It is kept in
    the history, so it has the history's bounds."""

    comment = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=AuditEvent._meta.get_field("comment").max_length,
        validators=[validate_text],
    )


class SendBackSerializer(AlignmentActionSerializer):
    """Sending back says what needs to change: the comment is required, and refused with the
    service's message when missing or blank."""

    comment = TextField(
        max_length=AuditEvent._meta.get_field("comment").max_length,
        validators=[validate_text],
        help_text="What needs to change, for the mission's owner.",
        error_messages={"required": SEND_BACK_NEEDS_A_REASON, "blank": SEND_BACK_NEEDS_A_REASON},
    )


class KeyTaskSerializer(ModelSerializer):
    mission = scoped_field(Mission)
    owner = scoped_field(get_user_model(), allow_null=True, required=False)

    class Meta:
        model = KeyTask
        fields = [
            "id",
            "mission",
            "title",
            "description",
            "owner",
            "due_date",
            "status",
            "completed_at",
        ]
        read_only_fields = ["completed_at"]


class InterdependencySerializer(ModelSerializer):
    from_mission = scoped_field(Mission)
    to_mission = scoped_field(Mission)
    for_task = scoped_field(
        KeyTask,
        allow_null=True,
        required=False,
        help_text="The key task of the asking mission that needs the support, if one does.",
    )

    class Meta:
        model = Interdependency
        fields = [
            "id",
            "organisation",
            "from_mission",
            "to_mission",
            "kind",
            "description",
            "for_task",
            "status",
            "created_at",
            "responded_at",
        ]
        read_only_fields = ["organisation", "status", "responded_at"]


class InterdependencyChangeSerializer(ModelSerializer):
    """What the asking side may correct of an open link (``interdependency_update``)."""

    for_task = scoped_field(
        KeyTask,
        allow_null=True,
        required=False,
        help_text="The key task of the asking mission that needs the support, if one does.",
    )

    class Meta:
        model = Interdependency
        fields = ["description", "for_task"]


class InterdependencyRespondSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["acknowledged", "declined", "resolved"])


MISSION_ROW_FIELDS = (
    "id",
    "organisation_id",
    "level",
    "title",
    "statement",
    "intent",
    "parent_id",
    "owner_team_id",
    "owner_user_id",
    "period_id",
    "period_start",
    "period_end",
    "status",
    "alignment_status",
    "deadline",
    "scope",
    "budget",
    "headcount",
    "constraints",
    "decision_rights",
    "review_cadence_days",
    "next_review_due",
    "created_at",
    "updated_at",
)
_DECISION_RIGHTS = ("free", "consult", "must_not")


def mission_row(row: dict[str, Any]) -> dict[str, Any]:
    """What ``MissionSerializer`` renders, built straight from a ``values()`` row.

    The mission list answers 50 of these per request, most of its CPU time in DRF's field
    machinery; this is the same document (tests/missions/test_api.py compares the two) for a
    fraction of the cost. Dates and times are left to the JSON renderer (ISO 8601, UTC as Z).
    """
    rights = row["decision_rights"] if isinstance(row["decision_rights"], dict) else {}
    budget = row["budget"]
    return {
        "id": row["id"],
        "organisation": row["organisation_id"],
        "level": row["level"],
        "title": row["title"],
        "statement": row["statement"],
        "intent": row["intent"],
        "parent": row["parent_id"],
        "owner_team": row["owner_team_id"],
        "owner_user": row["owner_user_id"],
        "period": row["period_id"],
        "period_start": row["period_start"],
        "period_end": row["period_end"],
        "status": row["status"],
        "alignment_status": row["alignment_status"],
        "operating_space": {
            "deadline": row["deadline"],
            "scope": row["scope"],
            "budget": None if budget is None else f"{budget:.2f}",
            "headcount": row["headcount"],
            "constraints": row["constraints"],
            "decision_rights": {k: rights[k] for k in _DECISION_RIGHTS if k in rights},
        },
        "review_cadence_days": row["review_cadence_days"],
        "next_review_due": row["next_review_due"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


class InvitationSerializer(ModelSerializer):
    """An invitation to join an organisation. The link goes only to the invited address."""

    organisation = scoped_field(Organisation, required=False)
    team = scoped_field(Team, allow_null=True, required=False)
    status = serializers.ChoiceField(choices=Invitation.Status.choices, read_only=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "organisation",
            "email",
            "role",
            "team",
            "status",
            "expires_at",
            "sent_count",
            "created_at",
        ]
        read_only_fields = ["expires_at", "sent_count", "created_at"]
        extra_kwargs = {"role": {"required": False}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        organisation, team = attrs.get("organisation"), attrs.get("team")
        if (
            team is not None
            and organisation is not None
            and team.organisation_id != organisation.pk
        ):
            raise serializers.ValidationError({"team": "That team is in another organisation."})
        return attrs


class MissionTemplateSerializer(ModelSerializer):
    """An organisation's own mission template, as the library shows it (read and removed
    through the API; written from a mission's page)."""

    class Meta:
        model = MissionTemplate
        fields = [
            "id",
            "organisation",
            "name",
            "description",
            "title",
            "statement",
            "intent",
            "scope",
            "constraints",
            "decision_rights",
            "review_cadence_days",
            "kpis",
            "key_tasks",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields
