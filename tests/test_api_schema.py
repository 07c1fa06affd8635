"""The OpenAPI schema and its docs page: no generator warnings, examples for the main writes,
and a docs page that loads nothing from outside this site."""

from __future__ import annotations

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow  # a subprocess
def test_the_schema_generates_and_validates_without_a_warning(tmp_path: Path) -> None:
    """``manage.py spectacular --validate --fail-on-warn``: an untyped field, a view whose
    queryset cannot be inspected or an enum name collision fails here."""
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(tmp_path / "schema.yaml"),
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "missionlead.settings_test"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stderr
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


@pytest.fixture
def schema(db: None) -> dict:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def request_examples(schema: dict, path: str, method: str = "post") -> dict:
    body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]
    return body.get("examples", {})


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/missions/",
        "/api/v1/kpis/{id}/check-ins/",
        "/api/v1/missions/{id}/propose/",
        "/api/v1/missions/{id}/align/",
        "/api/v1/missions/{id}/send-back/",
        "/api/v1/reviews/{id}/complete/",
        "/api/v1/auth/token/",
    ],
)
def test_the_main_writes_have_examples(schema: dict, path: str) -> None:
    examples = request_examples(schema, path)
    assert examples, path
    assert all(example["value"] for example in examples.values())


def test_every_operation_documents_its_request_and_response(schema: dict) -> None:
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            assert operation["responses"], (method, path)
            if method in ("post", "put", "patch") and not path.endswith("/read/"):
                # Actions that take no body: they say so rather than invent one.
                bodiless = path.endswith(
                    (
                        "/read-all/",
                        "/revoke/",
                        "/resend/",
                        "/support/",
                        "/close/",
                        "/leave/",
                        "/withdraw/",
                        "/test/",
                        "/rotate-secret/",
                    )
                )
                assert "requestBody" in operation or bodiless, (method, path)
            if method == "get":
                (ok,) = (code for code in operation["responses"] if code.startswith("2"))
                assert "content" in operation["responses"][ok], (method, path)


def test_lists_document_their_filters(schema: dict) -> None:
    names = {p["name"] for p in schema["paths"]["/api/v1/missions/"]["get"]["parameters"]}
    wanted = {"organisation", "team", "owner", "parent", "status", "level", "updated_since"}
    assert wanted | {"ordering", "page"} <= names


def test_the_subtree_is_a_recursive_component(schema: dict) -> None:
    tree = schema["components"]["schemas"]["MissionTree"]
    assert tree["properties"]["children"]["items"] == {"$ref": "#/components/schemas/MissionTree"}


class Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self.styles = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href"):
            if values.get(name):
                self.urls.append(values[name] or "")
        if tag == "script" and not values.get("src"):
            self.inline_scripts += 1
        if tag == "style":
            self.styles += 1


@pytest.mark.django_db
def test_the_docs_page_loads_only_this_sites_files() -> None:
    client = Client()
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = Assets()
    page.feed(response.content.decode())
    assert page.inline_scripts == 0 and page.styles == 0  # the Content-Security-Policy
    assert page.urls
    scripts = [url for url in page.urls if url.startswith("/api/docs/")]
    static = [url for url in page.urls if url.startswith("/static/")]
    assert sorted(scripts + static) == sorted(page.urls), page.urls  # nothing from a CDN
    for url in static:
        assert finders.find(url.removeprefix("/static/").split("?")[0]), url
    # The start-up script, served by the docs view itself, points at our schema.
    (script,) = scripts
    script_response = client.get(script)
    assert script_response.status_code == 200
    assert script_response["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script_response.content.decode()
