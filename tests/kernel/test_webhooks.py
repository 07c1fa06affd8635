"""Outgoing webhooks against a real receiver on 127.0.0.1 (tests/webhook_receiver.py): the
signature verifies with the reference Standard Webhooks library, retries follow the schedule
(the clock moved with time-machine), 410 turns the endpoint off and tells the admins, private
addresses are refused, a rotated secret signs beside the new one, Slack and Teams get their
own shapes, and an organisation without endpoints pays nothing for any of it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from kernel import services, tasks, webhooks
from kernel.models import AuditEvent, Notification, Organisation, WebhookAttempt, WebhookDelivery
from measures.services import kpi_record_value
from missions.models import Mission
from reviews.checks import run_checks
from tests.measures.factories import KpiFactory
from tests.missions.factories import MissionFactory
from tests.webhook_receiver import receiver

pytestmark = pytest.mark.django_db

CHECK_IN = webhooks.Event.CHECK_IN_CREATED


@pytest.fixture
def private_allowed(settings: Any) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True


def _endpoint(world: Any, url: str, *, events: list[str] | None = None, kind: str = "webhook"):
    return services.webhook_endpoint_create(
        organisation=world.organisation,
        data={"name": f"Receiver {kind}", "url": url, "events": events or [CHECK_IN], "kind": kind},
        by=world.org_admin,
    )


def _check_in(world: Any, kpi: Any, value: str = "12") -> Any:
    kpi.mission.organisation.refresh_from_db()  # as a request reads it
    return kpi_record_value(kpi=kpi, value=Decimal(value), by=world.staff)


def test_it_signs_a_check_in_made_through_the_api_so_the_library_verifies_it(
    world: Any, private_allowed: None, django_capture_on_commit_callbacks: Any
) -> None:
    kpi = KpiFactory(mission=world.staff_mission, name="Virtual ward beds", unit="beds")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.staff).key}")
    with receiver() as hooks:
        endpoint = _endpoint(world, hooks.url)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/api/v1/kpis/{kpi.pk}/check-ins/",
                {"value": "14", "confidence": 80, "comment": "Two more beds."},
                format="json",
            )
        assert response.status_code == 201, response.content
    (sent,) = hooks.received
    payload = Webhook(endpoint.secret).verify(sent.body, sent.headers)
    assert payload["type"] == "check_in.created"
    assert payload["data"]["id"] == response.json()["id"]
    assert payload["data"]["organisation"] == world.organisation.pk
    assert payload["data"]["value"] == "14.0000" or Decimal(payload["data"]["value"]) == 14
    assert payload["data"]["url"].endswith(f"/o/acme/kpis/{kpi.pk}/")
    assert sent.headers["webhook-id"].startswith("msg_")
    assert sent.headers["content-type"] == "application/json"
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 1, 200)
    assert delivery.message_id == sent.headers["webhook-id"]


def test_it_retries_on_the_schedule_and_delivers_exactly_once_more(
    world: Any, private_allowed: None, django_capture_on_commit_callbacks: Any
) -> None:
    kpi = KpiFactory(mission=world.staff_mission)
    start = timezone.now()
    with receiver(500, 500) as hooks, time_machine.travel(start, tick=False) as clock:
        endpoint = _endpoint(world, hooks.url)
        with django_capture_on_commit_callbacks(execute=True):
            _check_in(world, kpi)
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 500)
        # The first retry after about 5 seconds (with up to 10% jitter), not before.
        assert (
            dt.timedelta(seconds=4.5)
            <= delivery.next_attempt_at - start
            <= dt.timedelta(seconds=5.5)
        )
        assert tasks.webhook_deliver(delivery.pk) is None  # not due yet: nothing is sent
        assert len(hooks.received) == 1
        # The hand-over of the retry is lost: the catch-up sends it once it is overdue.
        clock.move_to(delivery.next_attempt_at + webhooks.CATCH_UP_AFTER + dt.timedelta(seconds=1))
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.webhooks_catch_up() == 1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("pending", 2)
        # The second retry after about 5 minutes.
        assert dt.timedelta(minutes=4.5) <= delivery.next_attempt_at - timezone.now()
        clock.move_to(delivery.next_attempt_at)
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.webhook_deliver(delivery.pk) == "succeeded"
        # Nothing more, however often the catch-up runs.
        clock.move_to(timezone.now() + dt.timedelta(days=4))
        assert tasks.webhooks_catch_up() == 0
        assert tasks.webhook_deliver(delivery.pk) is None
    assert len(hooks.received) == 3
    assert len({r.headers["webhook-id"] for r in hooks.received}) == 1  # one message, retried
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 3, 200)
    tries = list(WebhookAttempt.objects.filter(delivery=delivery).order_by("at"))
    assert [t.response_status for t in tries] == [500, 500, 200]
    assert tries[0].error == "The receiver answered 500."


def test_it_turns_the_endpoint_off_at_a_410_and_tells_the_admins(
    world: Any, private_allowed: None, django_capture_on_commit_callbacks: Any
) -> None:
    kpi = KpiFactory(mission=world.staff_mission)
    with receiver(410) as hooks:
        endpoint = _endpoint(world, hooks.url)
        with django_capture_on_commit_callbacks(execute=True):
            _check_in(world, kpi)
        assert len(hooks.received) == 1
        endpoint.refresh_from_db()
        assert not endpoint.is_active
        assert endpoint.disabled_reason == webhooks.GONE_REASON
        told = Notification.objects.get(recipient=world.org_admin)
        assert told.kind == Notification.Kind.WEBHOOK_DISABLED
        assert told.url == f"/o/acme/integrations/{endpoint.pk}/"
        assert not Notification.objects.filter(kind="webhook_disabled").exclude(
            recipient=world.org_admin
        )
        # Nobody listens any more: the next check-in writes no delivery and sends nothing.
        assert Organisation.objects.get(pk=world.organisation.pk).webhook_events == []
        with django_capture_on_commit_callbacks(execute=True):
            _check_in(world, kpi, "13")
        assert len(hooks.received) == 1
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1


def test_spent_retries_turn_the_endpoint_off(
    world: Any, private_allowed: None, django_capture_on_commit_callbacks: Any
) -> None:
    kpi = KpiFactory(mission=world.staff_mission)
    attempts = len(webhooks.RETRY_DELAYS) + 1
    with receiver(*[503] * attempts) as hooks, time_machine.travel(timezone.now(), tick=False) as c:
        endpoint = _endpoint(world, hooks.url)
        with django_capture_on_commit_callbacks(execute=True):
            _check_in(world, kpi)
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        first = delivery.created_at
        for _ in range(attempts - 1):
            delivery.refresh_from_db()
            c.move_to(delivery.next_attempt_at)
            tasks.webhook_deliver(delivery.pk)
        delivery.refresh_from_db()
        # About three days from the first attempt to the last.
        assert dt.timedelta(days=2.5) < timezone.now() - first < dt.timedelta(days=3.2)
    assert len(hooks.received) == attempts
    assert (delivery.status, delivery.attempts) == ("failed", attempts)
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_reason == webhooks.EXHAUSTED_REASON
    assert Notification.objects.filter(recipient=world.org_admin, kind="webhook_disabled").exists()


def test_it_refuses_private_addresses_unless_the_setting_allows_them(
    world: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    kpi = KpiFactory(mission=world.staff_mission)
    with receiver() as hooks:
        endpoint = _endpoint(world, hooks.url)
        with django_capture_on_commit_callbacks(execute=True):
            _check_in(world, kpi)
        assert hooks.received == []
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == "pending" and delivery.response_status is None
    assert "private, loopback, link-local or reserved" in delivery.error
    for url in (
        "http://localhost/",
        "http://10.1.2.3/",
        "http://192.168.0.1:8080/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
        "ftp://example.org/",
    ):
        with pytest.raises(webhooks.Refused):
            webhooks.check_address(url)


def test_a_rotated_secret_and_the_previous_one_both_sign_for_a_day(
    world: Any, private_allowed: None, django_capture_on_commit_callbacks: Any
) -> None:
    with receiver() as hooks:
        endpoint = _endpoint(world, hooks.url)
        old = endpoint.secret
        endpoint = services.webhook_endpoint_rotate_secret(endpoint=endpoint, by=world.org_admin)
        assert endpoint.secret != old
        with django_capture_on_commit_callbacks(execute=True):
            services.webhook_send_test(endpoint=endpoint, by=world.org_admin)
        later = timezone.now() + dt.timedelta(hours=25)
        with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
            services.webhook_send_test(endpoint=endpoint, by=world.org_admin)
    during, after = hooks.received
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    for secret in (old, endpoint.secret):
        assert Webhook(secret).verify(during.body, during.headers)["type"] == "webhook.test"
    # A day later only the new secret signs. (The library refuses an old timestamp, so the
    # check is the signature itself.)
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    timestamp = int(after.headers["webhook-timestamp"])
    message = after.headers["webhook-id"]
    assert after.headers["webhook-signature"] == webhooks.sign(
        endpoint.secret, message_id=message, timestamp=timestamp, body=after.body
    )
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(during.body, {**during.headers, "webhook-signature": "v1,AAAA"})


def test_slack_and_teams_get_their_own_shapes_unsigned(
    world: Any, private_allowed: None, django_capture_on_commit_callbacks: Any
) -> None:
    kpi = KpiFactory(mission=world.staff_mission, name="Virtual ward beds", unit="beds")
    with receiver() as slack, receiver() as teams:
        _endpoint(world, slack.url, kind="slack")
        _endpoint(world, teams.url, kind="teams")
        with django_capture_on_commit_callbacks(execute=True):
            _check_in(world, kpi, "15")
    (to_slack,), (to_teams,) = slack.received, teams.received
    for sent in (to_slack, to_teams):
        assert not {"webhook-id", "webhook-signature", "webhook-timestamp"} & set(sent.headers)
    message = to_slack.json
    assert "checked in 15" in message["text"] and "“Virtual ward beds”" in message["text"]
    assert message["blocks"][0]["type"] == "section"
    assert message["blocks"][0]["text"]["type"] == "mrkdwn"
    assert message["blocks"][1]["type"] == "context"
    assert f"/o/acme/kpis/{kpi.pk}/|Open>" in message["blocks"][1]["elements"][0]["text"]
    card_message = to_teams.json
    assert card_message["type"] == "message"
    (attachment,) = card_message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["body"][0] == {
        "type": "TextBlock",
        "text": "Check-in made",
        "weight": "Bolder",
        "size": "Medium",
    }
    assert "checked in 15" in card["body"][1]["text"]
    assert card["actions"][0]["type"] == "Action.OpenUrl"


def test_alignment_updates_and_reviews_emit_their_events(world: Any, private_allowed: None) -> None:
    from missions.services import mission_align, mission_propose, mission_update

    events = [
        webhooks.Event.MISSION_PROPOSED,
        webhooks.Event.MISSION_ALIGNED,
        webhooks.Event.MISSION_UPDATED,
    ]
    endpoint = _endpoint(world, "https://hooks.example.org/in", events=events)
    mission = Mission.objects.select_related("organisation").get(pk=world.staff_mission.pk)
    mission = mission_propose(mission=mission, by=world.staff)
    mission_align(mission=mission, by=world.lead)
    mission = Mission.objects.select_related("organisation").get(pk=mission.pk)
    mission_update(mission=mission, data={"title": "Open three virtual wards"}, by=world.staff)
    sent = list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("id"))
    assert [d.event for d in sent] == events
    assert sent[-1].payload["data"]["title"] == "Open three virtual wards"
    assert sent[1].summary.endswith("is aligned with the mission above.")


def test_an_organisation_without_endpoints_pays_no_query_for_a_check_in(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    kpi = KpiFactory(mission=world.staff_mission)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.staff).key}")
    client.post(f"/api/v1/kpis/{kpi.pk}/check-ins/", {"value": "1"}, format="json")  # warm
    # 26: the check-in's own queries (the API's authentication and tenant scope, the KPI and its
    # mission and organisation, the insert, the figures, the audit entry, the inbox); of the
    # webhooks, none: the organisation row it reads anyway says nobody listens.
    with django_assert_max_num_queries(26) as captured:
        response = client.post(f"/api/v1/kpis/{kpi.pk}/check-ins/", {"value": "2"}, format="json")
    assert response.status_code == 201
    assert not [q for q in captured.captured_queries if "kernel_webhook" in q["sql"]]
    with django_assert_max_num_queries(0):
        assert (
            webhooks.emit(
                organisation=world.organisation, event=CHECK_IN, data=lambda: {"never": "built"}
            )
            == 0
        )


def _run_queries(organisation: Organisation) -> tuple[int, int]:
    organisation.refresh_from_db()
    with CaptureQueriesContext(connection) as captured:
        result = run_checks(organisation=organisation)
    return len(captured.captured_queries), result.opened


def test_the_checks_emit_findings_events_in_a_constant_number_of_queries(
    world: Any,
) -> None:
    """One event per run for what it opened (and one for what it resolved), whatever their
    number: the same queries for a handful of findings as for many more."""
    endpoint = _endpoint(
        world,
        "https://hooks.example.org/in",
        events=[webhooks.Event.FINDING_OPENED, webhooks.Event.FINDING_RESOLVED],
    )
    few_queries, few = _run_queries(world.organisation)
    assert few > 0
    for _ in range(40):  # missions without a measure of success: a finding each
        MissionFactory(
            parent=world.team_mission,
            level=Mission.Level.INDIVIDUAL,
            owner_user=world.staff,
            aligned=True,
        )
    many_queries, many = _run_queries(world.organisation)
    assert many >= 40
    assert many_queries == few_queries
    opened = list(
        WebhookDelivery.objects.filter(endpoint=endpoint, event="finding.opened").order_by("id")
    )
    assert [d.payload["data"]["count"] for d in opened] == [few, many]
    assert len(opened[1].payload["data"]["findings"]) == min(many, webhooks.FINDINGS_LISTED)
    # Nobody listening: the run touches no table of the webhooks.
    services.webhook_endpoint_delete(endpoint=endpoint, by=world.org_admin)
    world.organisation.refresh_from_db()
    with CaptureQueriesContext(connection) as captured:
        run_checks(organisation=world.organisation)
    assert not [q for q in captured.captured_queries if "kernel_webhook" in q["sql"]]


def test_a_change_that_rolls_back_sends_nothing(
    world: Any, private_allowed: None, django_capture_on_commit_callbacks: Any
) -> None:
    kpi = KpiFactory(mission=world.staff_mission)
    with receiver() as hooks:
        endpoint = _endpoint(world, hooks.url)
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            _check_in(world, kpi)
            raise RuntimeError("the change fails after the event was written")
        assert hooks.received == []
    assert callbacks == []
    assert not WebhookDelivery.objects.filter(endpoint=endpoint).exists()


def test_admins_keep_endpoints_through_the_api_and_the_changes_are_audited(world: Any) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.org_admin).key}")
    refused = client.post(
        "/api/v1/webhooks/",
        {"name": "Old", "url": "ftp://example.org/", "events": ["mission.nothing"]},
        format="json",
    )
    assert refused.status_code == 400
    assert set(refused.json()) == {"url", "events"}
    created = client.post(
        "/api/v1/webhooks/",
        {"name": "Warehouse", "url": "https://hooks.example.org/a", "events": ["review.held"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["organisation"] == world.organisation.pk and body["kind"] == "webhook"
    assert body["secret"].startswith("whsec_") and body["is_active"] is True
    world.organisation.refresh_from_db()
    assert world.organisation.webhook_events == ["review.held"]
    changed = client.patch(f"/api/v1/webhooks/{body['id']}/", {"is_active": False}, format="json")
    assert changed.status_code == 200
    assert changed.json()["disabled_reason"].startswith("Turned off by")
    world.organisation.refresh_from_db()
    assert world.organisation.webhook_events == []
    rotated = client.post(f"/api/v1/webhooks/{body['id']}/rotate-secret/")
    assert rotated.json()["secret"] != body["secret"]
    assert rotated.json()["previous_secret_until"] is not None
    assert client.delete(f"/api/v1/webhooks/{body['id']}/").status_code == 204
    verbs = list(
        AuditEvent.objects.filter(organisation=world.organisation, object_id=body["id"])
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["created", "updated", "updated", "removed"]
    # To a member who is not an admin, the endpoints do not exist, and adding one is refused.
    staff = APIClient()
    staff.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.staff).key}")
    assert staff.get("/api/v1/webhooks/").json()["results"] == []
    assert staff.post("/api/v1/webhooks/", {}, format="json").status_code == 403
