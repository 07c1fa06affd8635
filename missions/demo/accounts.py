"""The demo people's accounts: reused when they exist (back to their demo name, roles and
password), created otherwise, and never taken over from someone who is not a demo person."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core.management.base import CommandError
from django.db import models

from kernel.models import Membership
from missions.demo.data import Demo

Role = Membership.Role


def differs(obj: models.Model, values: dict[str, Any]) -> list[str]:
    """The names of the fields whose stored value differs from ``values``."""
    changed = []
    for name, value in values.items():
        field = obj._meta.get_field(name)
        if isinstance(field, models.Field) and field.many_to_one:  # a foreign key of obj's
            current, value = getattr(obj, field.attname), getattr(value, "pk", value)
        else:
            current = getattr(obj, name)
        if current != value:
            changed.append(name)
    return changed


def demo_users(
    demo: Demo, *, former_members: Collection[str], stats: Counter[str]
) -> dict[str, Any]:
    """The demo's users by username. ``former_members``: the people of a demo organisation a
    reset has just removed, reused even where one has since changed their email address."""
    User = get_user_model()
    domain = demo.email_domain
    usernames = [person.username for person in demo.people]
    existing = {u.username: u for u in User.objects.filter(username__in=usernames)}
    elsewhere = set(
        Membership.objects.filter(user__username__in=usernames).values_list(
            "user__username", flat=True
        )
    )
    for username, found in existing.items():
        ours = username in former_members or (
            username not in elsewhere and found.email.endswith("@" + domain)
        )
        if not ours:
            raise CommandError(
                f"A user {username!r} already exists outside the demo organisation; "
                "seed_demo will not take it over. Rename or remove it first."
            )
    # One password hash for everyone (hashing is deliberately slow); keep a valid one.
    ceo = existing.get(demo.ceo)
    if ceo is not None and check_password(demo.password, ceo.password):
        password = ceo.password
    else:
        password = make_password(demo.password)
    users: dict[str, Any] = {}
    for person in demo.people:
        first, last, admin = person.first_name, person.last_name, person.role == Role.ADMIN
        values = {
            "first_name": first,
            "last_name": last,
            "email": f"{first}.{last}@{domain}".lower(),
            "is_active": True,
            "is_staff": admin,
            "is_superuser": admin,
            "password": password,
        }
        user = existing.get(person.username)
        if user is None:
            user = User(username=person.username, **values)
            user.save()
            stats["users created"] += 1
        elif changed := differs(user, values):
            for name in changed:
                setattr(user, name, values[name])
            user.save(update_fields=changed)
            stats["users reset"] += 1
        users[person.username] = user
    return users
