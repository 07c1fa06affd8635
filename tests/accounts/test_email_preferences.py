"""The email settings page, and unsubscribing from an email's link without logging in."""

from __future__ import annotations

import json
import re

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Profile
from kernel.models import Notification, NotificationPreference
from kernel.notifications import notify
from kernel.preferences import DEFAULT_CHANNELS, DIGEST, channels_for, unsubscribe_token

pytestmark = pytest.mark.django_db
Kind = Notification.Kind
Channel = NotificationPreference.Channel
URL = "/accounts/email/"


def everything(**changes: str) -> dict[str, str]:
    """A whole form: every kind at its default, the daily digest, and ``changes``."""
    return {**DEFAULT_CHANNELS, "digest": "daily", **changes}


def checked(html: str, name: str) -> str:
    """The value of the checked radio button of group ``name``."""
    (value,) = re.findall(rf'<input type="radio" name="{name}" value="(\w+)"[^>]* checked', html)
    return value


# --- The page -------------------------------------------------------------------------------------


def test_it_lists_every_kind_with_its_channel_chosen_and_labelled(client, world) -> None:
    NotificationPreference.objects.create(
        user=world.staff, kind=Kind.FINDING, channel=Channel.IN_APP
    )
    client.force_login(world.staff)
    html = client.get(URL).content.decode()
    assert reverse("accounts:email-preferences") == URL
    for kind, label in Kind.choices:
        assert f'<th scope="row"><span id="kind-{kind}">{label}</span>' in html
        expected = Channel.IN_APP if kind == Kind.FINDING else DEFAULT_CHANNELS[kind]
        assert checked(html, kind) == expected
        # Each button is named by its row and its column, for a screen reader.
        for channel in Channel.values:
            assert f'aria-labelledby="kind-{kind} channel-{channel}"' in html
    for channel, label in Channel.choices:
        assert f'<th scope="col" id="channel-{channel}">{label}</th>' in html
    assert checked(html, "digest") == "daily"
    assert "<legend>Your digest</legend>" in html and "07:00" in html


def test_the_profile_page_leads_to_it(client, world) -> None:
    client.force_login(world.staff)
    assert f'href="{URL}"' in client.get("/accounts/profile/").content.decode()


def test_it_saves_the_channels_and_the_digest(client, world) -> None:
    client.force_login(world.staff)
    answer = client.post(
        URL, everything(finding=Channel.AT_ONCE, sent_back=Channel.IN_APP, digest="weekly")
    )
    assert answer.status_code == 302 and answer["Location"] == URL
    # Only what differs from the defaults is stored.
    assert set(NotificationPreference.objects.values_list("kind", "channel")) == {
        ("finding", "at_once"),
        ("sent_back", "in_app"),
    }
    assert Profile.objects.get(user=world.staff).digest == "weekly"
    html = client.get(URL).content.decode()
    assert checked(html, "finding") == "at_once" and checked(html, "digest") == "weekly"
    assert "Your email settings are saved." in html


def test_an_incomplete_or_wrong_form_changes_nothing(client, world) -> None:
    client.force_login(world.staff)
    missing = everything()
    del missing["aligned"]
    for data in (missing, everything(finding="carrier_pigeon"), everything(digest="hourly")):
        answer = client.post(URL, data)
        assert answer.status_code == 400
    assert not NotificationPreference.objects.exists() and not Profile.objects.exists()


def test_the_page_costs_the_same_queries_however_many_choices_are_stored(client, world) -> None:
    client.force_login(world.staff)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured.captured_queries)

    none_stored = queries()
    for kind in Kind.values:
        NotificationPreference.objects.create(user=world.staff, kind=kind, channel=Channel.IN_APP)
    Profile.objects.create(user=world.staff, digest="never")
    # The session, the person, their stored choices (one query for all kinds), their digest.
    assert none_stored == queries() == 4


# --- Unsubscribe ----------------------------------------------------------------------------------


def unsubscribe_url(user, topic: str) -> str:
    return reverse(
        "accounts:unsubscribe", kwargs={"token": unsubscribe_token(user_id=user.pk, topic=topic)}
    )


def test_the_link_asks_first_and_changes_nothing_on_get(world) -> None:
    page = Client().get(unsubscribe_url(world.staff, Kind.ALIGNED))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Stop emails about “Mission aligned” to s…@example.org?" in html
    assert '<form method="post"' in html and "Unsubscribe</button>" in html
    assert not NotificationPreference.objects.exists()


def test_the_confirm_button_unsubscribes_from_the_kind_without_logging_in(world) -> None:
    browser = Client(enforce_csrf_checks=True)
    url = unsubscribe_url(world.staff, Kind.ALIGNMENT_REQUESTED)
    page = browser.post(url)
    assert (
        page.status_code == 200
        and "No more emails about “Alignment requested”" in page.content.decode()
    )
    assert channels_for(user_id=world.staff.pk)[Kind.ALIGNMENT_REQUESTED] == Channel.IN_APP
    assert browser.post(url).status_code == 200  # twice: no harm
    assert NotificationPreference.objects.count() == 1


def test_a_mail_clients_one_click_post_unsubscribes(world) -> None:
    """RFC 8058: the client posts ``List-Unsubscribe=One-Click`` to the header's URL, with no
    cookie and no CSRF token."""
    answer = Client(enforce_csrf_checks=True).post(
        unsubscribe_url(world.lead, DIGEST),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200
    assert Profile.objects.get(user=world.lead).digest == Profile.Digest.NEVER


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_changed_link_is_a_clear_400(world, method) -> None:
    good = unsubscribe_token(user_id=world.staff.pk, topic=Kind.ALIGNED)
    # Someone else's person in the payload, under staff's signature.
    payload = json.dumps({"u": world.lead.pk, "t": "aligned"}, separators=(",", ":"))
    forged = ":".join([signing.b64_encode(payload.encode()).decode(), *good.split(":")[1:]])
    for token in (good[:-3], good + "x", forged, "nothing-signed"):
        url = reverse("accounts:unsubscribe", kwargs={"token": token})
        page = getattr(Client(), method)(url)
        assert page.status_code == 400
        assert "This unsubscribe link is not valid" in page.content.decode()
    assert not NotificationPreference.objects.exists() and not Profile.objects.exists()


def test_the_link_of_a_person_gone_is_a_400(world) -> None:
    url = unsubscribe_url(world.staff, Kind.ALIGNED)
    world.staff.is_active = False
    world.staff.save()
    assert Client().post(url).status_code == 400


def test_the_link_in_an_email_stops_that_kind_of_email(
    world, mailbox, django_capture_on_commit_callbacks
) -> None:
    def ask() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            notify(
                recipients=[world.lead],
                kind=Kind.SUPPORT_REQUESTED,
                message="Transport for the home visits?",
                mission=world.team_mission,
                by=world.staff,
            )

    ask()
    (email,) = mailbox.messages
    link = str(email["List-Unsubscribe"]).strip().strip("<>")
    assert link.startswith("http://missions.example.test/unsubscribe/")
    answer = Client().post(
        link.removeprefix("http://missions.example.test"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200
    ask()
    assert len(mailbox.messages) == 1  # the second request waits in the app only
    assert Notification.objects.filter(recipient=world.lead).count() == 2
