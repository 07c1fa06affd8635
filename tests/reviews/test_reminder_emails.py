"""What a reminder sent by the batch says, byte for byte: the batch renders its emails with a
stencil per kind (``missionlead.emails.Stencil``) and reads rows instead of model objects, and
each email must still be the one the ordinary rendering of its notification gives
(``render_email`` of ``notification_email_context``), its notification the same words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings

from kernel.delivery import notification_email_context
from kernel.formats import day
from kernel.models import Notification
from kernel.notifications import cause_of
from kernel.preferences import unsubscribe_url, unsubscribe_urls
from missionlead import emails
from missionlead.emails import Stencil, render_email
from missions.models import Mission
from reviews import services
from reviews.models import Reminder, Review
from tests.missions.factories import MissionFactory, TeamFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)

# Titles that test the filling: HTML to escape, quotes, non-ASCII, a line break in the subject,
# and one that looks like a stencil's own marker.
TITLES = [
    "Open two virtual wards",
    'Fix <script>alert("x")</script> & the rest',
    "Tom's “quoted” café — 100% ✓",
    "Open two wards\r\nBcc: someone@example.org",
    "mLq0x&Zv mLq1x&amp;Zv",
]


@pytest.fixture
def frozen(time_machine) -> None:
    # One moment for the whole test: the unsubscribe tokens carry the second they were signed.
    time_machine.move_to(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def reviews(world, frozen) -> list[Review]:
    """Reviews of every kind of reminder due today, of missions with awkward titles, owned by a
    person with a full name or by a team whose name needs escaping."""
    world.staff.first_name, world.staff.last_name = "Sam", "O'Neil <Ops>"
    for person in (world.staff, world.lead, world.leader):
        person.email = f"{person.username}@example.org"
        person.save()
    team = TeamFactory(organisation=world.organisation, name="R&D <north>", leader=world.staff)
    due = {
        "before": TODAY + dt.timedelta(days=3),
        "due": TODAY,
        "after": TODAY - dt.timedelta(days=2),
        "escalation": TODAY - dt.timedelta(days=9),
    }
    made = []
    for n, title in enumerate(TITLES):
        for kind, due_date in due.items():
            owner = (
                {"level": Mission.Level.INDIVIDUAL, "owner_user": world.staff}
                if n % 2 == 0
                else {"level": Mission.Level.TEAM, "owner_team": team, "owner_user": None}
            )
            mission = MissionFactory(parent=world.team_mission, aligned=True, **owner)
            # Straight to the database: the model refuses a line break in a title now.
            Mission.objects.filter(pk=mission.pk).update(title=f"{title} ({kind})")
            made.append(Review.objects.create(mission=mission, due_date=due_date))
    return made


def _message(review: Review, kind: str) -> str:
    """What each kind of reminder says, from the model objects."""
    mission, due = review.mission, day(review.due_date)
    return {
        "before": f"The 30-day review of “{mission.title}” is due on {due}.",
        "due": f"The 30-day review of “{mission.title}” is due today.",
        "after": f"The 30-day review of “{mission.title}” was due on {due} and is not held yet.",
        "escalation": (
            f"The 30-day review of “{mission.title}” ({mission.owner_display}) was due on {due} "
            "and has not been held."
        ),
    }[kind]


def test_each_reminder_is_the_email_its_notification_renders_to(reviews, monkeypatch) -> None:
    rendered = []
    real = emails.render_to_string
    monkeypatch.setattr(
        emails,
        "render_to_string",
        lambda name, context: rendered.append(name) or real(name, context),
    )
    result = services.reminders_send_due(today=TODAY)
    assert (result.claimed, result.sent, result.failed) == (len(reviews), len(reviews), 0)
    # By the stencils, not the template engine per email: for each of the two kinds of
    # notification, its three templates once with markers and once for the first email's check.
    assert len(rendered) == 2 * 3 * 2
    monkeypatch.undo()
    assert len(mail.outbox) == len(reviews)
    by_key = {m.extra_headers["Message-ID"].split("@")[0][1:]: m for m in mail.outbox}
    for reminder in Reminder.objects.select_related("review__mission", "recipient"):
        note = Notification.objects.select_related("organisation", "mission").get(
            recipient=reminder.recipient, cause=cause_of("review", reminder.review_id)
        )
        assert note.message == _message(reminder.review, reminder.kind)
        assert note.url == f"/o/acme/reviews/{reminder.review_id}/"
        context = notification_email_context(note)
        subject, text, html = render_email("notification", context)
        message = by_key[f"reminder-{reminder.pk}"]
        assert message.to == [reminder.recipient.email]
        assert message.subject == subject
        assert message.body == text
        assert message.alternatives[0][0] == html
        assert message.extra_headers["List-Unsubscribe"] == f"<{context['unsubscribe_url']}>"
    # The awkward values did reach the emails, escaped where HTML needs it.
    html = "".join(m.alternatives[0][0] for m in mail.outbox)
    assert "Fix &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; the rest" in html
    assert "R&amp;D &lt;north&gt;" in html and "<script>" not in html
    assert any("Open two wards Bcc: someone@example.org" in m.subject for m in mail.outbox)


def test_the_unsubscribe_links_of_a_batch_are_the_ordinary_ones(world, frozen) -> None:
    of = unsubscribe_urls()
    for user_id in (1, world.staff.pk, 987_654_321):
        for topic in ("review_reminder", "review_escalation", "digest"):
            assert of(user_id, topic) == unsubscribe_url(user_id=user_id, topic=topic)


TEMPLATES = {
    "emails/probe_subject.txt": "{% autoescape off %}{{ a }} and {{ b }}{% endautoescape %}",
    "emails/probe.txt": "{% autoescape off %}{{ a }}\n{{ b }}{% endautoescape %}",
    "emails/probe.html": "<p>{{ a }}</p><p title='{{ b }}'>{{ b|safe }}</p>",
    "emails/lower_subject.txt": "{{ a|lower }}",
    "emails/lower.txt": "{{ a }}",
    "emails/lower.html": "{{ a }}",
}


def _locmem(templates: dict[str, str]) -> override_settings:
    return override_settings(
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", templates)]},
            }
        ]
    )


@pytest.mark.parametrize(
    "values",
    [
        {"a": "plain", "b": "words"},
        {"a": "<b>&amp;</b>", "b": "\"quotes\" & 'apostrophes'"},
        {"a": "mLq1x&Zv", "b": "mLq0x&amp;Zv"},  # the markers themselves are never refilled
        {"a": "", "b": "an empty value: rendered the ordinary way"},
        {"a": None, "b": "None too"},
    ],
)
def test_a_stencil_fills_in_what_the_template_engine_renders(values) -> None:
    with _locmem(TEMPLATES):
        stencil = Stencil("probe", dict, ["a", "b"])
        assert stencil.render(values) == render_email("probe", dict(values))


def test_a_template_that_filters_a_value_is_rendered_the_ordinary_way() -> None:
    with _locmem(TEMPLATES):
        stencil = Stencil("lower", dict, ["a"])
        assert stencil.places is None
        assert stencil.render({"a": "MiXed & Case"}) == render_email("lower", {"a": "MiXed & Case"})
