"""A mission's alignment score in tests: read, or set as the checks would have written it."""

from __future__ import annotations

from missions.models import Mission
from reviews.models import MissionScore


def set_score(mission: Mission, score: int | None) -> None:
    """``score`` as the mission's, or none (as an unscored mission has)."""
    if score is None:
        MissionScore.objects.filter(mission=mission).delete()
    else:
        MissionScore.objects.update_or_create(
            mission=mission, defaults={"score": score, "organisation_id": mission.organisation_id}
        )


def score_of(mission: Mission) -> int | None:
    return MissionScore.objects.filter(mission=mission).values_list("score", flat=True).first()
