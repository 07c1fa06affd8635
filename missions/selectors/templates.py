"""Mission templates offered to an organisation, and what one puts in the mission form."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kernel.validators import parse_id

from ..models import MissionTemplate
from ..template_library import shipped_template, shipped_templates

if TYPE_CHECKING:
    from kernel.models import Organisation


def templates_of(*, organisation: Organisation) -> list[MissionTemplate]:
    """The organisation's own templates, by name, with their authors. One query."""
    return list(
        MissionTemplate.objects.filter(organisation=organisation).select_related("created_by")
    )


def templates_offered(*, organisation: Organisation) -> list[MissionTemplate]:
    """What the mission form offers: the product's templates, then the organisation's own.
    One query, whatever their number."""
    return [*shipped_templates(), *templates_of(organisation=organisation)]


def template_for_key(*, organisation: Organisation, key: str) -> MissionTemplate | None:
    """The template a page names (``MissionTemplate.key``): one of the product's, or one of
    the organisation's own; None for anything else, another organisation's included."""
    if key.startswith("shipped-"):
        return shipped_template(key.removeprefix("shipped-"))
    pk = parse_id(key)
    if pk is None:
        return None
    return MissionTemplate.objects.filter(organisation=organisation, pk=pk).first()


def mission_initial_of(template: MissionTemplate) -> dict[str, Any]:
    """The mission form's fields as the template fills them (its decision rights as the
    form's three fields of lines)."""
    rights = template.decision_rights or {}
    initial: dict[str, Any] = {
        name: getattr(template, name)
        for name in ("title", "statement", "intent", "scope", "constraints")
    }
    if template.review_cadence_days:
        initial["review_cadence_days"] = template.review_cadence_days
    for field, key in (
        ("free_to_decide", "free"),
        ("must_consult", "consult"),
        ("must_not", "must_not"),
    ):
        initial[field] = "\n".join(rights.get(key, []))
    return initial
