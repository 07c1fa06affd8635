"""SCIM 2.0 provisioning, driven with the request bodies Okta and Microsoft Entra ID send (from
Okta's "SCIM 2.0 protocol reference" and Entra's "Develop a SCIM endpoint" and "Known issues
with SCIM 2.0 protocol compliance"): create, find, update, PATCH in both dialects, deactivate
and reactivate, groups and their members, revoked tokens, and one organisation's token never
seeing or changing another's people."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import ScimGroup, ScimToken, ScimUser
from accounts.scim.tokens import scim_token_create, scim_token_revoke
from kernel.models import AuditEvent, Membership, Team
from tests.missions.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

SCIM = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


class Scim:
    """A SCIM client of one organisation: its bearer token on every request."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.client = Client(raise_request_exception=True)

    def _send(self, method: str, path: str, body: Any = None, **extra: Any) -> Any:
        response = self.client.generic(
            method,
            "/scim/v2/" + path,
            json.dumps(body) if body is not None else "",
            content_type=SCIM,
            HTTP_AUTHORIZATION=f"Bearer {self.key}",
            HTTP_ACCEPT="application/scim+json",
            **extra,
        )
        if response.status_code != 204:
            assert response["Content-Type"] == SCIM, response.content
        return response

    def get(self, path: str) -> Any:
        return self._send("GET", path)

    def post(self, path: str, body: Any) -> Any:
        return self._send("POST", path, body)

    def put(self, path: str, body: Any) -> Any:
        return self._send("PUT", path, body)

    def patch(self, path: str, body: Any) -> Any:
        return self._send("PATCH", path, body)

    def delete(self, path: str) -> Any:
        return self._send("DELETE", path)


@pytest.fixture
def acme(world: Any) -> Scim:
    _, key = scim_token_create(organisation=world.organisation, name="Okta", by=world.org_admin)
    return Scim(key)


@pytest.fixture
def other(world: Any) -> Scim:
    _, key = scim_token_create(
        organisation=world.other_organisation, name="Entra ID", by=world.outsider
    )
    return Scim(key)


def okta_user(user_name: str = "test.user@okta.local", **changes: Any) -> dict[str, Any]:
    """Okta's Create User body (SCIM 2.0 protocol reference), password and all."""
    body = {
        "schemas": [USER],
        "userName": user_name,
        "name": {"givenName": "Test", "familyName": "User"},
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "displayName": "Test User",
        "locale": "en-US",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [],
        "password": "1mz050nq",
        "active": True,
    }
    return {**body, **changes}


def entra_user(user_name: str = "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1") -> dict[str, Any]:
    """Entra ID's Create User body (Develop a SCIM endpoint: request and response examples)."""
    return {
        "schemas": [USER, ENTERPRISE],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": user_name,
        "active": True,
        "emails": [
            {
                "primary": True,
                "type": "work",
                "value": "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com",
            }
        ],
        "meta": {"resourceType": "User"},
        "name": {
            "formatted": "givenName familyName",
            "familyName": "familyName",
            "givenName": "givenName",
        },
        "roles": [],
        # Entra's default mapping sends these; the product keeps the title only.
        "title": "Ward manager",
        "phoneNumbers": [{"type": "work", "value": "+44 20 7946 0000"}],
        ENTERPRISE: {"department": "Operations", "employeeNumber": "1234"},
    }


def membership_of(user_name: str, organisation: Any) -> Membership:
    return Membership.objects.select_related("user").get(
        organisation=organisation, user__username=user_name
    )


def error_of(response: Any, status: int, scim_type: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type
    return body


# --- Discovery ------------------------------------------------------------------------------------


def test_it_describes_itself(acme: Scim) -> None:
    config = acme.get("ServiceProviderConfig").json()
    assert config["patch"] == {"supported": True}
    assert config["filter"]["supported"] is True
    assert config["bulk"]["supported"] is False
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"

    types = acme.get("ResourceTypes").json()
    assert {t["endpoint"] for t in types["Resources"]} == {"/Users", "/Groups"}
    assert acme.get("ResourceTypes/User").json()["schema"] == USER

    schemas = acme.get("Schemas").json()
    assert {s["id"] for s in schemas["Resources"]} == {USER, GROUP}
    assert acme.get(f"Schemas/{GROUP}").json()["name"] == "Group"
    error_of(acme.get("Schemas/urn:nothing"), 404)


# --- Tokens ---------------------------------------------------------------------------------------


def test_it_refuses_a_missing_bad_or_revoked_token(world: Any, acme: Scim) -> None:
    for header in ({}, {"HTTP_AUTHORIZATION": "Bearer nope"}, {"HTTP_AUTHORIZATION": "Token x"}):
        response = Client().get("/scim/v2/Users", **header)
        body = error_of(response, 401)
        assert "token" in body["detail"].lower()
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert acme.get("Users").status_code == 200

    token = ScimToken.objects.get(organisation=world.organisation)
    scim_token_revoke(token=token, by=world.org_admin)
    error_of(acme.get("Users"), 401)
    error_of(acme.post("Users", okta_user()), 401)
    assert not get_user_model().objects.filter(username="test.user@okta.local").exists()


def test_a_session_opens_nothing(world: Any) -> None:
    """A signed-in admin's browser is no identity provider."""
    client = Client()
    client.force_login(world.org_admin)
    error_of(client.get("/scim/v2/Users"), 401)


def test_it_keeps_only_a_hash_and_audits_tokens(world: Any) -> None:
    token, key = scim_token_create(organisation=world.organisation, name="Okta", by=world.org_admin)
    assert key.startswith("scim_")
    assert key not in token.digest
    assert len(token.digest) == 64
    scim_token_revoke(token=token, by=world.org_admin)
    scim_token_revoke(token=token, by=world.org_admin)  # twice: one entry
    verbs = list(
        AuditEvent.objects.filter(object_id=token.pk, content_type__model="scimtoken")
        .order_by("id")
        .values_list("verb", "actor")
    )
    assert verbs == [
        (AuditEvent.Verb.CREATED, world.org_admin.pk),
        (AuditEvent.Verb.REMOVED, world.org_admin.pk),
    ]


def test_several_tokens_work_and_revoking_one_leaves_the_others(world: Any) -> None:
    first, first_key = scim_token_create(organisation=world.organisation, name="A", by=None)  # type: ignore[arg-type]
    _, second_key = scim_token_create(organisation=world.organisation, name="B", by=None)  # type: ignore[arg-type]
    scim_token_revoke(token=first, by=None)
    error_of(Scim(first_key).get("Users"), 401)
    assert Scim(second_key).get("Users").status_code == 200


# --- Users: Okta ----------------------------------------------------------------------------------


def test_okta_creates_finds_updates_and_deactivates_a_user(world: Any, acme: Scim) -> None:
    # Test connection, then "does the user exist?": no.
    assert acme.get("Users?startIndex=1&count=2").status_code == 200
    found = acme.get(
        "Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100"
    )
    assert found.json()["totalResults"] == 0
    assert found.json()["Resources"] == []

    created = acme.post("Users", okta_user())
    assert created.status_code == 201, created.content
    user = created.json()
    assert user["userName"] == "test.user@okta.local"
    assert user["name"]["givenName"] == "Test"
    assert user["emails"] == [{"value": "test.user@okta.local", "type": "work", "primary": True}]
    assert user["active"] is True
    assert user["externalId"] == "00ujl29u0le5T6Aj10h7"
    assert user["meta"]["resourceType"] == "User"
    assert user["meta"]["location"] == f"http://testserver/scim/v2/Users/{user['id']}"
    assert created["Location"] == user["meta"]["location"]
    assert {"created", "lastModified", "version"} <= set(user["meta"])

    membership = membership_of("test.user@okta.local", world.organisation)
    assert membership.role == Membership.Role.STAFF and membership.team is None
    assert not membership.user.has_usable_password()  # Okta's password is not kept
    assert str(membership.user.pk) == user["id"]

    # Case-insensitive, as userName is.
    found = acme.get('Users?filter=userName eq "TEST.USER@okta.local"').json()
    assert found["totalResults"] == 1
    assert found["Resources"][0]["id"] == user["id"]
    assert acme.get(f"Users/{user['id']}").json()["userName"] == "test.user@okta.local"

    # Okta's PUT: the whole user, with its id.
    replaced = acme.put(
        f"Users/{user['id']}",
        okta_user(
            id=user["id"],
            name={"givenName": "Another", "familyName": "User"},
            emails=[{"primary": True, "value": "another@okta.local", "type": "work"}],
        ),
    )
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["name"]["givenName"] == "Another"
    membership.user.refresh_from_db()
    assert (membership.user.first_name, membership.user.email) == ("Another", "another@okta.local")

    # Okta deactivates with an RFC PatchOp without a path.
    patched = acme.patch(
        f"Users/{user['id']}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["active"] is False
    membership.refresh_from_db()
    assert membership.deactivated_at is not None
    assert membership.user.is_active  # the account stays: other organisations keep it

    # Still listed, as inactive, and filterable.
    assert acme.get("Users?filter=active eq false").json()["totalResults"] == 1

    # Reactivation gives the organisation back.
    patched = acme.patch(
        f"Users/{user['id']}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": True}}]},
    )
    assert patched.json()["active"] is True
    membership.refresh_from_db()
    assert membership.deactivated_at is None


def test_a_duplicate_user_name_is_a_409(world: Any, acme: Scim) -> None:
    assert acme.post("Users", okta_user()).status_code == 201
    error_of(acme.post("Users", okta_user(user_name="TEST.user@okta.local")), 409, "uniqueness")
    # Someone else's account (here, a member of another organisation) is not claimed either.
    claim = okta_user(user_name="outsider", emails=[{"value": "o@example.com", "primary": True}])
    error_of(acme.post("Users", claim), 409, "uniqueness")
    assert not Membership.objects.filter(
        organisation=world.organisation, user=world.outsider
    ).exists()


def test_delete_deactivates_and_never_deletes(world: Any, acme: Scim) -> None:
    user = acme.post("Users", okta_user()).json()
    assert acme.delete(f"Users/{user['id']}").status_code == 204
    membership = membership_of("test.user@okta.local", world.organisation)
    assert membership.deactivated_at is not None
    assert acme.get(f"Users/{user['id']}").json()["active"] is False
    entry = AuditEvent.objects.filter(
        content_type__model="membership", object_id=membership.pk
    ).first()
    assert entry is not None and entry.changes["active"] == [True, False]
    assert "Okta" in entry.comment


# --- Users: Entra ---------------------------------------------------------------------------------


def test_entra_creates_and_patches_a_user_its_own_way(world: Any, acme: Scim) -> None:
    created = acme.post("Users", entra_user())
    assert created.status_code == 201, created.content
    user = created.json()
    assert user["title"] == "Ward manager"
    assert user["externalId"] == "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"
    found = acme.get('Users?filter=externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"').json()
    assert found["totalResults"] == 1

    # "Update user [Multi-valued properties]"
    patched = acme.patch(
        f"Users/{user['id']}",
        {
            "schemas": [PATCH_OP],
            "Operations": [
                {
                    "op": "Replace",
                    "path": 'emails[type eq "work"].value',
                    "value": "updatedEmail@microsoft.com",
                },
                {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
                {"op": "Add", "path": "name.givenName", "value": "Barbara"},
                {"op": "Add", "path": "title", "value": "Head of wards"},
                # Attributes the product does not keep are accepted and let go.
                {"op": "Add", "path": 'phoneNumbers[type eq "mobile"].value', "value": "+44"},
                {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Wards"},
            ],
        },
    )
    assert patched.status_code == 200, patched.content
    body = patched.json()
    assert body["emails"][0]["value"] == "updatedEmail@microsoft.com"
    assert body["name"]["familyName"] == "updatedFamilyName"
    assert body["name"]["givenName"] == "Barbara"
    assert body["title"] == "Head of wards"

    # "Update user [Single-valued properties]": a new userName.
    patched = acme.patch(
        f"Users/{user['id']}",
        {
            "schemas": [PATCH_OP],
            "Operations": [
                {
                    "op": "Replace",
                    "path": "userName",
                    "value": "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com",
                }
            ],
        },
    )
    assert patched.json()["userName"] == "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"

    # "Disable user", with the boolean as a string (the known issue) and capitalised.
    patched = acme.patch(
        f"Users/{user['id']}",
        {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
        },
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["active"] is False
    # ... and Entra's fixed shape to enable again.
    patched = acme.patch(
        f"Users/{user['id']}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "active", "value": True}]},
    )
    assert patched.json()["active"] is True

    # Without a path, the attributes named in the value, dotted and filtered too; a home
    # address is not the one kept.
    patched = acme.patch(
        f"Users/{user['id']}",
        {
            "schemas": [PATCH_OP],
            "Operations": [
                {
                    "op": "Replace",
                    "value": {
                        "name.givenName": "Babs",
                        'emails[type eq "work"].value': "babs@microsoft.com",
                        'emails[type eq "home"].value': "babs@home.example",
                        "displayName": "Babs Jensen",
                    },
                }
            ],
        },
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["name"]["givenName"] == "Babs"
    assert patched.json()["emails"][0]["value"] == "babs@microsoft.com"

    # Entra's aadOptscim062020 flag rides on every URL: it changes nothing here.
    assert acme.get(f"Users/{user['id']}?aadOptscim062020").status_code == 200


def test_a_deactivated_member_loses_this_organisation_only(world: Any, acme: Scim) -> None:
    """The outsider also belongs to acme: deactivated there, they keep their own organisation,
    and acme's pages and API answers are closed to them."""
    MembershipFactory(organisation=world.organisation, user=world.outsider, role="staff")
    browser = Client()
    browser.force_login(world.outsider)
    assert browser.get("/o/acme/").status_code == 200

    response = acme.patch(
        f"Users/{world.outsider.pk}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]},
    )
    assert response.status_code == 200, response.content

    assert browser.get("/o/acme/").status_code == 404
    assert browser.get("/o/other/").status_code == 200
    world.outsider.refresh_from_db()
    assert world.outsider.is_active
    api = Client()
    api.force_login(world.outsider)
    slugs = {o["slug"] for o in api.get("/api/v1/organisations/").json()["results"]}
    assert slugs == {"other"}
    missions = api.get("/api/v1/missions/").json()["results"]
    assert all(m["organisation"] == world.other_organisation.pk for m in missions)

    # Their account is shared with another organisation: acme's provider cannot rename it.
    error_of(
        acme.patch(
            f"Users/{world.outsider.pk}",
            {"Operations": [{"op": "replace", "path": "name.givenName", "value": "Renamed"}]},
        ),
        400,
        "mutability",
    )
    world.outsider.refresh_from_db()
    assert world.outsider.first_name != "Renamed"


# --- Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        ({"schemas": [USER]}, "invalidValue"),  # no userName
        (okta_user(user_name="has space"), "invalidValue"),
        (okta_user(emails=[{"value": "not an address", "primary": True}]), "invalidValue"),
        (okta_user(active="maybe"), "invalidValue"),
        (okta_user(name="Test User"), "invalidValue"),
        (okta_user(title="two\nlines"), "invalidValue"),
        ([1, 2], "invalidSyntax"),
    ],
)
def test_bad_users_are_400s_and_write_nothing(
    world: Any, acme: Scim, body: Any, scim_type: str
) -> None:
    users_before = get_user_model().objects.count()
    error_of(acme.post("Users", body), 400, scim_type)
    assert get_user_model().objects.count() == users_before
    assert not ScimUser.objects.exists()


def test_a_body_that_is_not_json_is_a_400(acme: Scim) -> None:
    response = acme.client.post(
        "/scim/v2/Users", "{not json", content_type=SCIM, HTTP_AUTHORIZATION=f"Bearer {acme.key}"
    )
    error_of(response, 400, "invalidSyntax")


def test_a_bad_patch_changes_nothing_even_after_good_operations(world: Any, acme: Scim) -> None:
    user = acme.post("Users", okta_user()).json()
    response = acme.patch(
        f"Users/{user['id']}",
        {
            "schemas": [PATCH_OP],
            "Operations": [
                {"op": "replace", "path": "name.givenName", "value": "Changed"},
                {"op": "replace", "path": "active", "value": "perhaps"},
            ],
        },
    )
    error_of(response, 400, "invalidValue")
    assert acme.get(f"Users/{user['id']}").json()["name"]["givenName"] == "Test"
    for body, scim_type in (
        ({"Operations": []}, "invalidSyntax"),
        ({"Operations": [{"op": "move", "path": "active"}]}, "invalidSyntax"),
        ({"Operations": [{"op": "remove"}]}, "noTarget"),
        ({"Operations": [{"op": "replace", "path": "name[[", "value": 1}]}, "invalidPath"),
        ({"Operations": [{"op": "remove", "path": "userName"}]}, "mutability"),
    ):
        error_of(acme.patch(f"Users/{user['id']}", body), 400, scim_type)


def test_a_taken_user_name_is_refused_on_update_too(world: Any, acme: Scim) -> None:
    user = acme.post("Users", okta_user()).json()
    acme.post("Users", okta_user(user_name="second@okta.local", externalId="2"))
    response = acme.patch(
        f"Users/{user['id']}",
        {"Operations": [{"op": "replace", "path": "userName", "value": "SECOND@okta.local"}]},
    )
    error_of(response, 409, "uniqueness")


@pytest.mark.parametrize(
    "query",
    [
        'filter=userName co "a"',
        'filter=userName eq "a" or userName eq "b"',
        'filter=nickName eq "a"',
        "filter=userName eq",
        "startIndex=first",
    ],
)
def test_filters_it_cannot_read_are_400s(acme: Scim, query: str) -> None:
    scim_type = "invalidValue" if query.startswith("startIndex") else "invalidFilter"
    error_of(acme.get(f"Users?{query}"), 400, scim_type)


def test_an_unknown_user_is_a_404(acme: Scim) -> None:
    error_of(acme.get("Users/999999"), 404)
    error_of(acme.get("Users/not-a-number"), 404)
    error_of(acme.patch("Users/999999", {"Operations": [{"op": "replace", "value": {}}]}), 404)


# --- Lists ----------------------------------------------------------------------------------------


def test_users_are_paged_by_start_index_and_count(world: Any, acme: Scim) -> None:
    everyone = acme.get("Users").json()
    total = everyone["totalResults"]
    assert total == 5  # acme's five members
    ids = [u["id"] for u in everyone["Resources"]]
    first = acme.get("Users?startIndex=1&count=2").json()
    second = acme.get("Users?startIndex=3&count=2").json()
    last = acme.get("Users?startIndex=5&count=2").json()
    assert [first["itemsPerPage"], second["itemsPerPage"], last["itemsPerPage"]] == [2, 2, 1]
    assert [u["id"] for p in (first, second, last) for u in p["Resources"]] == ids
    assert second["startIndex"] == 3 and second["totalResults"] == 5
    assert acme.get("Users?count=0").json()["Resources"] == []


def test_the_users_list_costs_the_same_for_any_number(
    world: Any, acme: Scim, django_assert_max_num_queries: Any
) -> None:
    def grow(n: int, prefix: str) -> None:
        for i in range(n):
            team = TeamFactory(organisation=world.organisation, name=f"{prefix} {i}")
            user = UserFactory(username=f"{prefix}{i}")
            MembershipFactory(organisation=world.organisation, user=user, team=team)
            ScimUser.objects.create(organisation=world.organisation, user=user, external_id=str(i))

    acme.get("Users")  # the token's last use is written once a minute at most
    grow(3, "small")
    # 1. SAVEPOINT: the request's transaction, nested in the test's
    # 2. the token, with its organisation
    # 3. set_config: the tenant scope of that organisation
    # 4. the count
    # 5. the page, with accounts, teams and external ids
    # 6. set_config: the test's own scope back (only when nested)
    # 7. RELEASE SAVEPOINT
    with django_assert_max_num_queries(7):
        small = acme.get("Users?count=200")
    grow(30, "large")
    with django_assert_max_num_queries(7):
        large = acme.get("Users?count=200")
    assert large.json()["totalResults"] == small.json()["totalResults"] + 30


# --- Groups ---------------------------------------------------------------------------------------


def test_okta_pushes_a_group_and_its_members(world: Any, acme: Scim) -> None:
    alice = acme.post("Users", okta_user()).json()
    bob = acme.post("Users", okta_user(user_name="bob@okta.local", externalId="b")).json()

    created = acme.post("Groups", {"schemas": [GROUP], "displayName": "Test SCIMv2", "members": []})
    assert created.status_code == 201, created.content
    group = created.json()
    assert group["displayName"] == "Test SCIMv2" and group["members"] == []
    assert group["meta"]["resourceType"] == "Group"
    team = Team.objects.get(pk=group["id"], organisation=world.organisation)
    assert team.parent is None

    # Okta's rename: an RFC PatchOp without a path, repeating the id.
    response = acme.patch(
        f"Groups/{group['id']}",
        {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "value": {"id": group["id"], "displayName": "Wards"}}],
        },
    )
    assert response.status_code == 204, response.content
    team.refresh_from_db()
    assert team.name == "Wards"

    # Okta's add, then its remove by a filtered path.
    response = acme.patch(
        f"Groups/{group['id']}",
        {
            "schemas": [PATCH_OP],
            "Operations": [
                {
                    "op": "add",
                    "path": "members",
                    "value": [
                        {"value": alice["id"], "display": "test.user@okta.local"},
                        {"value": bob["id"], "display": "bob@okta.local"},
                    ],
                }
            ],
        },
    )
    assert response.status_code == 204, response.content
    members = acme.get(f"Groups/{group['id']}").json()["members"]
    assert {m["value"] for m in members} == {alice["id"], bob["id"]}
    assert acme.get(f"Users/{alice['id']}").json()["groups"] == [
        {"value": group["id"], "display": "Wards"}
    ]

    response = acme.patch(
        f"Groups/{group['id']}",
        {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "remove", "path": f'members[value eq "{alice["id"]}"]'}],
        },
    )
    assert response.status_code == 204
    assert membership_of("test.user@okta.local", world.organisation).team is None
    assert membership_of("bob@okta.local", world.organisation).team == team

    # Okta's PUT: the whole group.
    response = acme.put(
        f"Groups/{group['id']}",
        {
            "schemas": [GROUP],
            "id": group["id"],
            "displayName": "Wards",
            "members": [{"value": alice["id"], "display": "test.user@okta.local"}],
        },
    )
    assert response.status_code == 200, response.content
    assert [m["value"] for m in response.json()["members"]] == [alice["id"]]
    assert membership_of("bob@okta.local", world.organisation).team is None

    found = acme.get('Groups?filter=displayName eq "wards"').json()
    assert [g["id"] for g in found["Resources"]] == [group["id"]]
    assert found["totalResults"] == 1
    error_of(acme.post("Groups", {"schemas": [GROUP], "displayName": "WARDS"}), 409, "uniqueness")


def test_entra_manages_groups_its_own_way(world: Any, acme: Scim) -> None:
    user = acme.post("Users", entra_user()).json()
    created = acme.post(
        "Groups",
        {
            "schemas": [
                GROUP,
                "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group",
            ],
            "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
            "displayName": "displayName",
            "meta": {"resourceType": "Group"},
        },
    )
    assert created.status_code == 201, created.content
    group = created.json()
    assert group["externalId"] == "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"
    assert ScimGroup.objects.get(team_id=group["id"]).external_id == group["externalId"]

    got = acme.get(f"Groups/{group['id']}?excludedAttributes=members").json()
    assert "members" not in got
    found = acme.get('Groups?excludedAttributes=members&filter=displayName eq "displayName"')
    assert found.json()["totalResults"] == 1
    assert "members" not in found.json()["Resources"][0]

    for operations in (
        [{"op": "Replace", "path": "displayName", "value": "updatedDisplayName"}],
        [{"op": "Add", "path": "members", "value": [{"$ref": None, "value": user["id"]}]}],
    ):
        response = acme.patch(
            f"Groups/{group['id']}", {"schemas": [PATCH_OP], "Operations": operations}
        )
        assert response.status_code == 204, response.content
    got = acme.get(f"Groups/{group['id']}").json()
    assert got["displayName"] == "updatedDisplayName"
    assert [m["value"] for m in got["members"]] == [user["id"]]
    # Entra's membership check.
    check = acme.get(f'Groups?filter=id eq "{group["id"]}" and members[value eq "{user["id"]}"]')
    assert check.json()["totalResults"] == 1

    # Entra's removal: the members in "value", not in the path.
    response = acme.patch(
        f"Groups/{group['id']}",
        {
            "schemas": [PATCH_OP],
            "Operations": [
                {"op": "Remove", "path": "members", "value": [{"$ref": None, "value": user["id"]}]}
            ],
        },
    )
    assert response.status_code == 204
    assert acme.get(f"Groups/{group['id']}").json()["members"] == []

    assert acme.delete(f"Groups/{group['id']}").status_code == 204
    assert not Team.objects.filter(pk=group["id"]).exists()
    error_of(acme.get(f"Groups/{group['id']}"), 404)
    # The person stays a member, without a team.
    assert membership_of(user["userName"], world.organisation).team is None


def test_joining_a_second_group_moves_the_person(world: Any, acme: Scim) -> None:
    """One person, one team: the provider's latest group wins."""
    staff_id = str(world.staff.pk)  # in Operations
    wards = acme.post("Groups", {"schemas": [GROUP], "displayName": "Wards"}).json()
    acme.patch(
        f"Groups/{wards['id']}",
        {"Operations": [{"op": "add", "path": "members", "value": [{"value": staff_id}]}]},
    )
    assert membership_of("staff", world.organisation).team_id == int(wards["id"])
    operations = acme.get(f"Groups/{world.team.pk}").json()
    assert staff_id not in {m["value"] for m in operations["members"]}
    # Removing them from their old group now changes nothing.
    acme.patch(
        f"Groups/{world.team.pk}",
        {"Operations": [{"op": "remove", "path": f'members[value eq "{staff_id}"]'}]},
    )
    assert membership_of("staff", world.organisation).team_id == int(wards["id"])


def test_bad_group_changes_are_400s_and_write_nothing(world: Any, acme: Scim) -> None:
    wards = acme.post("Groups", {"schemas": [GROUP], "displayName": "Wards"}).json()
    staff_id = str(world.staff.pk)
    response = acme.patch(
        f"Groups/{wards['id']}",
        {
            "Operations": [
                {"op": "replace", "path": "displayName", "value": "Renamed"},
                {"op": "add", "path": "members", "value": [{"value": staff_id}]},
                {"op": "add", "path": "members", "value": [{"value": str(world.outsider.pk)}]},
            ]
        },
    )
    error_of(response, 400, "invalidValue")
    assert Team.objects.get(pk=wards["id"]).name == "Wards"
    assert membership_of("staff", world.organisation).team == world.team
    error_of(acme.post("Groups", {"schemas": [GROUP]}), 400, "invalidValue")
    error_of(
        acme.post("Groups", {"displayName": "X", "members": [{"value": "abc"}]}),
        400,
        "invalidValue",
    )
    assert not Team.objects.filter(name="X").exists()


def test_a_team_that_owns_missions_is_not_deleted(world: Any, acme: Scim) -> None:
    error_of(acme.delete(f"Groups/{world.team.pk}"), 409)
    assert Team.objects.filter(pk=world.team.pk).exists()
    assert membership_of("staff", world.organisation).team == world.team


# --- Isolation ------------------------------------------------------------------------------------


def test_a_token_never_sees_or_changes_another_organisation(
    world: Any, acme: Scim, other: Scim
) -> None:
    theirs = other.post("Users", okta_user(user_name="theirs@other.test")).json()
    their_group = other.post("Groups", {"schemas": [GROUP], "displayName": "Theirs"}).json()

    names = {u["userName"] for u in acme.get("Users?count=200").json()["Resources"]}
    assert names == {"ceo", "lead", "staff", "coach", "admin"}
    assert acme.get('Users?filter=userName eq "theirs@other.test"').json()["totalResults"] == 0
    assert acme.get('Users?filter=userName eq "outsider"').json()["totalResults"] == 0
    groups = {g["displayName"] for g in acme.get("Groups").json()["Resources"]}
    assert groups == {"Board", "Operations"}

    error_of(acme.get(f"Users/{theirs['id']}"), 404)
    error_of(acme.get(f"Users/{world.outsider.pk}"), 404)
    deactivate = {"Operations": [{"op": "replace", "value": {"active": False}}]}
    error_of(acme.patch(f"Users/{theirs['id']}", deactivate), 404)
    error_of(acme.put(f"Users/{theirs['id']}", okta_user(user_name="theirs@other.test")), 404)
    error_of(acme.delete(f"Users/{theirs['id']}"), 404)
    error_of(acme.get(f"Groups/{their_group['id']}"), 404)
    error_of(acme.delete(f"Groups/{their_group['id']}"), 404)
    error_of(
        acme.patch(
            f"Groups/{their_group['id']}",
            {"Operations": [{"op": "replace", "path": "displayName", "value": "Ours"}]},
        ),
        404,
    )
    # Nor can another organisation's people be put in one's own groups.
    error_of(
        acme.patch(
            f"Groups/{world.team.pk}",
            {"Operations": [{"op": "add", "path": "members", "value": [{"value": theirs["id"]}]}]},
        ),
        400,
        "invalidValue",
    )
    assert other.get(f"Users/{theirs['id']}").json()["active"] is True
    assert Team.objects.get(pk=their_group["id"]).name == "Theirs"
    assert membership_of("theirs@other.test", world.other_organisation).team is None


def test_the_groups_list_costs_the_same_for_any_number(
    world: Any, acme: Scim, django_assert_max_num_queries: Any
) -> None:
    def grow(n: int, prefix: str) -> None:
        for i in range(n):
            team = TeamFactory(organisation=world.organisation, name=f"{prefix} {i}")
            user = UserFactory(username=f"{prefix}{i}")
            MembershipFactory(organisation=world.organisation, user=user, team=team)

    acme.get("Groups")  # the token's last use is written once a minute at most
    grow(3, "small")
    # As the users' list (savepoint, token, scope, count, page, scope back, release), and one
    # for the members of every team of the page.
    with django_assert_max_num_queries(8):
        small = acme.get("Groups?count=200").json()
    grow(30, "large")
    with django_assert_max_num_queries(8):
        large = acme.get("Groups?count=200").json()
    assert large["totalResults"] == small["totalResults"] + 30
    assert all(len(g["members"]) == 1 for g in large["Resources"] if g["displayName"][0] == "l")
