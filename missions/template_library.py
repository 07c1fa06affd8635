"""The mission templates the product ships: a few examples of the method, offered to every
organisation beside its own (``MissionTemplate`` rows).

Each is what the seed says a good mission holds at every layer: a mission (what, and the
intent: why it matters), measures of success that show whether it really moves the dial, a
defined operating space (time, space, resources, legal and policy limits, decision rights:
free to decide, must consult, must not) and the key tasks that deliver it. The figures are
starting points: the writer sets their own baseline and target on the form.

They live in code, not in each organisation's rows: a new release improves them for everyone,
and no organisation can change or delete them. ``tests/missions/test_templates.py`` validates
each one as a stored template would be.
"""

from __future__ import annotations

from typing import Any

from .models import MissionTemplate

SHIPPED: tuple[dict[str, Any], ...] = (
    {
        "shipped_key": "growth",
        "name": "Grow in a chosen market",
        "description": "A team that wins customers and revenue where the vision says we "
        "will grow, without buying growth that does not pay.",
        "title": "Grow revenue in our chosen market",
        "statement": "Win new customers and grow revenue in the market the vision names, "
        "while keeping the customers we have.",
        "intent": "The vision depends on this market: growth here funds what comes next. "
        "Success is customers who stay, not one-off sales.",
        "scope": "The chosen market and the products we already sell there.",
        "constraints": "Our pricing policy; contracts reviewed by legal before signature.",
        "decision_rights": {
            "free": ["Which customers to approach first", "How to run campaigns"],
            "consult": ["Discounts beyond the pricing policy", "New partnerships"],
            "must_not": ["Sell products we cannot deliver", "Commit other teams' people"],
        },
        "review_cadence_days": 30,
        "kpis": [
            {
                "name": "Revenue in the market",
                "unit": "£k",
                "direction": "increase",
                "baseline": "0",
                "target": "500",
                "cadence_days": 30,
            },
            {
                "name": "New customers",
                "unit": "customers",
                "direction": "increase",
                "baseline": "0",
                "target": "40",
                "cadence_days": 30,
            },
            {
                "name": "Customers lost",
                "unit": "%",
                "direction": "decrease",
                "baseline": "10",
                "target": "5",
                "cadence_days": 30,
            },
        ],
        "key_tasks": [
            "Name the twenty customers we approach first",
            "Agree the offer and its price with finance",
            "Hire or train the people who sell it",
        ],
    },
    {
        "shipped_key": "efficiency",
        "name": "Cut the cost of a service",
        "description": "Deliver the same service, as well or better, for less: the savings "
        "are the mission, the quality is its limit.",
        "title": "Deliver our service for less",
        "statement": "Reduce the cost of delivering our service while the quality our "
        "customers get stays where it is or improves.",
        "intent": "What we save funds the organisation's priorities; a cut that customers "
        "feel is no saving.",
        "scope": "The service's own processes, suppliers and tools.",
        "constraints": "Procurement rules; no change to people's contracts without HR.",
        "decision_rights": {
            "free": ["How the work is organised", "Which tools we use within budget"],
            "consult": ["Changes to a supplier contract", "Changes that other teams feel"],
            "must_not": ["Lower the service level agreed with customers"],
        },
        "review_cadence_days": 30,
        "kpis": [
            {
                "name": "Cost per unit of service",
                "unit": "£",
                "direction": "decrease",
                "baseline": "100",
                "target": "85",
                "cadence_days": 30,
            },
            {
                "name": "Customer satisfaction",
                "unit": "%",
                "direction": "range",
                "baseline": "85",
                "target": "85",
                "target_max": "100",
                "cadence_days": 30,
            },
        ],
        "key_tasks": [
            "Map where the cost of the service goes",
            "Pick the three largest savings and plan them",
            "Renegotiate the largest supplier contract",
        ],
    },
    {
        "shipped_key": "capability",
        "name": "Build a capability",
        "description": "Give people the skills and confidence to decide well within their "
        "operating space: the seed's 'develop people to execute'.",
        "title": "Build the capability our strategy needs",
        "statement": "Develop the skills our people need to deliver the strategy, so that "
        "decisions are made well at the lowest possible level.",
        "intent": "Without the right capability and mindset, even the best strategy falls "
        "flat: people decide well only when they have the skills and the confidence.",
        "scope": "Our own team's people and the roles that deliver the strategy.",
        "constraints": "The learning budget; training in working time.",
        "decision_rights": {
            "free": ["Who learns what first", "Coaching, shadowing or courses"],
            "consult": ["Spending beyond the learning budget"],
            "must_not": ["Take people off customer work without their leader's agreement"],
        },
        "review_cadence_days": 30,
        "kpis": [
            {
                "name": "People fully trained",
                "unit": "%",
                "direction": "increase",
                "baseline": "0",
                "target": "80",
                "cadence_days": 30,
            },
            {
                "name": "Decisions escalated that the team could take",
                "unit": "a month",
                "direction": "decrease",
                "baseline": "20",
                "target": "5",
                "cadence_days": 30,
            },
        ],
        "key_tasks": [
            "Agree the skills each role needs",
            "Give everyone a development plan",
            "Start coaching for the team's leaders",
        ],
    },
    {
        "shipped_key": "customers",
        "name": "Raise customer satisfaction",
        "description": "Find what customers find hard, fix it, and show them it is fixed.",
        "title": "Make our customers' experience the best they know",
        "statement": "Raise customer satisfaction by fixing what customers tell us gets in "
        "their way.",
        "intent": "Customers who are glad they chose us stay, buy more and bring others: "
        "the rest of our missions build on them.",
        "scope": "Every point where customers meet our service.",
        "constraints": "Data protection rules on customer feedback.",
        "decision_rights": {
            "free": ["Which complaints to fix first", "How to ask customers for feedback"],
            "consult": ["Changes to another team's process", "Refunds above the usual limit"],
            "must_not": ["Promise what another team delivers without asking them"],
        },
        "review_cadence_days": 30,
        "kpis": [
            {
                "name": "Net promoter score",
                "unit": "points",
                "direction": "increase",
                "baseline": "20",
                "target": "40",
                "cadence_days": 30,
            },
            {
                "name": "Complaints answered within two days",
                "unit": "%",
                "direction": "increase",
                "baseline": "60",
                "target": "95",
                "cadence_days": 7,
            },
        ],
        "key_tasks": [
            "Ask a hundred customers what gets in their way",
            "Fix the three most common complaints",
            "Tell customers what changed",
        ],
    },
    {
        "shipped_key": "transformation",
        "name": "Transform how we work",
        "description": "A change that reaches across teams: clear intent, milestones that "
        "show the change is real, and teams supporting each other.",
        "title": "Move the organisation to the new way of working",
        "statement": "Bring every team onto the new way of working by the end of the period, "
        "with the old one retired.",
        "intent": "The old way holds the vision back; the change only counts once it is how "
        "everyone works every day, not a project on the side.",
        "scope": "Every team that uses the old way; their processes and systems.",
        "constraints": "No break in the service customers get during the change.",
        "decision_rights": {
            "free": ["The order in which teams move", "How each team is supported"],
            "consult": ["Changes to the timeline", "Anything that touches customers"],
            "must_not": ["Retire the old way before a team has moved"],
        },
        "review_cadence_days": 30,
        "kpis": [
            {
                "name": "Teams working the new way",
                "unit": "%",
                "direction": "increase",
                "baseline": "0",
                "target": "100",
                "cadence_days": 30,
            },
            {
                "name": "Work still done the old way",
                "unit": "%",
                "direction": "decrease",
                "baseline": "100",
                "target": "0",
                "cadence_days": 30,
            },
        ],
        "key_tasks": [
            "Agree the picture of success with every team's leader",
            "Move the first two teams and learn from it",
            "Retire the old way",
        ],
    },
)


def shipped_templates() -> list[MissionTemplate]:
    """The product's templates as unsaved ``MissionTemplate`` objects (no query)."""
    templates = []
    for fields in SHIPPED:
        data = dict(fields)
        template = MissionTemplate(**{k: v for k, v in data.items() if k != "shipped_key"})
        template.shipped_key = data["shipped_key"]
        templates.append(template)
    return templates


def shipped_template(slug: str) -> MissionTemplate | None:
    """The product's template ``slug``, or None."""
    return next((t for t in shipped_templates() if t.shipped_key == slug), None)
