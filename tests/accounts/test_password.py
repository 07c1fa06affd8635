"""Password reset by email and change of password, in the product's own pages."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core import mail

from .conftest import last_link_to

pytestmark = pytest.mark.django_db


def test_a_password_reset_round_trip(world, client, site_url) -> None:
    world.staff.email = "staff@example.org"
    world.staff.save()
    page = client.get("/accounts/password_reset/")
    assert page.status_code == 200 and '<label for="id_email">Email' in page.content.decode()
    response = client.post("/accounts/password_reset/", {"email": "staff@example.org"})
    assert response.status_code == 302
    assert "Check your email" in client.get(response["Location"]).content.decode()
    message = mail.outbox[-1]
    assert message.to == ["staff@example.org"] and message.alternatives
    link = last_link_to("staff@example.org", containing="/accounts/reset/")
    assert link.startswith(site_url + "/accounts/reset/")
    # Django's link redirects to a URL without the token, then takes the new password there.
    form_page = client.get(urlsplit(link).path, follow=True)
    assert "Set a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a fresh long phrase", "new_password2": "a fresh long phrase"},
    )
    assert done.status_code == 302
    world.staff.refresh_from_db()
    assert world.staff.check_password("a fresh long phrase")
    # The link works once.
    again = client.get(urlsplit(link).path, follow=True).content.decode()
    assert "does not work any more" in again


def test_an_unknown_address_looks_the_same_and_sends_nothing(client, world) -> None:
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


def test_a_person_changes_their_password(world, client) -> None:
    world.staff.set_password("the old phrase here")
    world.staff.save()
    client.force_login(world.staff)
    assert client.get("/accounts/password_change/").status_code == 200
    wrong = client.post(
        "/accounts/password_change/",
        {
            "old_password": "not it",
            "new_password1": "a fresh long phrase",
            "new_password2": "a fresh long phrase",
        },
    )
    assert wrong.status_code == 200 and wrong.context["form"].errors["old_password"]
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "the old phrase here",
            "new_password1": "a fresh long phrase",
            "new_password2": "a fresh long phrase",
        },
    )
    assert response.status_code == 302
    world.staff.refresh_from_db()
    assert world.staff.check_password("a fresh long phrase")
    assert client.get("/o/acme/").status_code == 200  # still signed in
