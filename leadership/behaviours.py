"""The four themes of high-performance leadership behaviours (``success-is-best-shared``:
"Smart organisations are developing such high-performance leadership behaviours around 4
themes"), each with its behaviours: what peer recognition names, and later development plans
choose from. The one place they are written."""

from __future__ import annotations

from django.db import models

THEMES: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "thinking": (
        "Thinking",
        (
            ("researching", "Researching"),
            ("developing_insights", "Developing insights"),
            ("decision_making", "Decision making"),
            ("conceptual_agility", "Conceptual agility"),
        ),
    ),
    "developing": (
        "Developing",
        (
            ("earning_trust", "Earning trust"),
            ("compassion", "Compassion"),
            ("collaboration", "Collaboration, not cooperation"),
            ("building_capabilities", "Building capabilities"),
        ),
    ),
    "inspiring": (
        "Inspiring",
        (
            ("generating_confidence", "Generating confidence"),
            ("communicating_with_impact", "Communicating with impact"),
            ("enrolling_others", "Enrolling others"),
        ),
    ),
    "delivering": (
        "Delivering",
        (
            ("being_proactive", "Being proactive"),
            ("committing_to_outcomes", "Committing to outcomes"),
            ("designing_from_the_future", "Designing from the future"),
            ("leading_change", "Leading change"),
            ("driving_value", "Driving commerciality and value"),
        ),
    ),
}
# Each behaviour's theme, by the behaviour's code.
THEME_OF = {code: theme for theme, (_, behaviours) in THEMES.items() for code, _ in behaviours}
# The choices of a behaviour field, grouped by theme (a form's select shows the groups).
BEHAVIOUR_CHOICES = [(label, list(behaviours)) for label, behaviours in THEMES.values()]
BEHAVIOUR_LABELS = {
    code: label for _, (_, behaviours) in THEMES.items() for code, label in behaviours
}


class Theme(models.TextChoices):
    THINKING = "thinking", "Thinking"
    DEVELOPING = "developing", "Developing"
    INSPIRING = "inspiring", "Inspiring"
    DELIVERING = "delivering", "Delivering"
