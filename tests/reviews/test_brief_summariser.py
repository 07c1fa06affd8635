"""The brief's optional summariser: off by default (nothing leaves the server); when an operator
sets its URL, the summary alone goes to ``<url>/chat/completions`` in the OpenAI-compatible
form, and a slow, failing or nonsensical answer leaves the deterministic wording. Tested
against fake servers started here, on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client

from kernel.permissions import actor_for
from reviews.brief import brief_for, summariser
from reviews.brief.data import brief_data
from reviews.brief.text import prose
from tests.reviews.brief_world import BriefWorld, build

pytestmark = pytest.mark.django_db
REWRITTEN = "A calmer week: beds rose to 18, referrals are at risk, one alignment waits."


class FakeModel:
    """An OpenAI-compatible server that answers as told: ``mode`` "ok", "slow", "error",
    "nonsense"; it keeps every request it gets."""

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers["Content-Length"])
                fake.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": json.loads(self.rfile.read(length)),
                    }
                )
                if fake.mode == "slow":
                    time.sleep(1.5)
                if fake.mode == "error":
                    self.send_response(500)
                    self.end_headers()
                    self.wfile.write(b'{"error": "overloaded"}')
                    return
                answer = (
                    {"choices": [{"message": {"role": "assistant", "content": REWRITTEN}}]}
                    if fake.mode in ("ok", "slow")
                    else {"nothing": "useful"}
                )
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> FakeModel:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def bw(world: Any) -> BriefWorld:
    return build(world)


def _set(settings: Any, url: str, timeout: float = 0.5) -> None:
    settings.MISSIONLEAD_BRIEF_SUMMARISER_URL = url
    settings.MISSIONLEAD_BRIEF_SUMMARISER_MODEL = "local-model"
    settings.MISSIONLEAD_BRIEF_SUMMARISER_API_KEY = "operator-key"
    settings.MISSIONLEAD_BRIEF_SUMMARISER_TIMEOUT = timeout


@pytest.fixture
def fake(request: Any) -> Iterator[FakeModel]:
    with FakeModel(getattr(request, "param", "ok")) as server:
        yield server


def _lead(bw: BriefWorld) -> Any:
    return actor_for(bw.world.lead, bw.world.organisation)


def test_it_is_off_by_default_and_sends_nothing(bw: BriefWorld, fake: FakeModel) -> None:
    brief = brief_for(actor=_lead(bw))
    assert not summariser.enabled()
    assert brief.summarised is False
    assert brief.summary == prose(brief_data(actor=_lead(bw)), owns_nothing=False)
    assert fake.requests == []


def test_it_rewrites_the_summary_and_keeps_the_evidence(
    bw: BriefWorld, fake: FakeModel, settings: Any
) -> None:
    plain_brief = brief_for(actor=_lead(bw))
    _set(settings, fake.url)
    brief = brief_for(actor=_lead(bw))
    assert brief.summarised and brief.summary == REWRITTEN
    # The sections, their sentences and their links, are the deterministic ones.
    assert [i for s in brief.sections for i in s.items] == [
        i for s in plain_brief.sections for i in s.items
    ]
    (sent,) = fake.requests
    assert sent["path"] == "/v1/chat/completions"
    assert sent["headers"]["Authorization"] == "Bearer operator-key"
    body = sent["body"]
    assert body["model"] == "local-model"
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    # Only the summary's prose goes: no section, no link.
    assert body["messages"][1]["content"] == plain_brief.summary
    assert "/o/acme/" not in json.dumps(body)


def test_an_answer_is_cached_for_the_same_text(
    bw: BriefWorld, fake: FakeModel, settings: Any
) -> None:
    _set(settings, fake.url)
    brief_for(actor=_lead(bw))
    brief_for(actor=_lead(bw))
    assert len(fake.requests) == 1


@pytest.mark.parametrize("fake", ["slow", "error", "nonsense"], indirect=True)
def test_a_slow_failing_or_nonsensical_server_leaves_the_wording(
    bw: BriefWorld, fake: FakeModel, settings: Any
) -> None:
    _set(settings, fake.url, timeout=0.3)
    started = time.perf_counter()
    brief = brief_for(actor=_lead(bw))
    assert time.perf_counter() - started < 1.4  # did not wait for the slow answer
    assert brief.summarised is False
    assert brief.summary == prose(brief_data(actor=_lead(bw)), owns_nothing=False)
    assert len(fake.requests) == 1
    # A failure is remembered a while: the next page does not wait again.
    brief_for(actor=_lead(bw))
    assert len(fake.requests) == 1


def test_a_server_that_is_not_there_leaves_the_wording(bw: BriefWorld, settings: Any) -> None:
    with FakeModel() as gone:
        url = gone.url
    _set(settings, url)
    assert brief_for(actor=_lead(bw)).summarised is False


def test_the_page_says_the_summary_was_reworded(
    bw: BriefWorld, fake: FakeModel, settings: Any
) -> None:
    _set(settings, fake.url)
    client = Client()
    client.force_login(bw.world.lead)
    html = client.get("/o/acme/brief/").content.decode()
    assert REWRITTEN in html and "Worded by your organisation's summariser" in html
