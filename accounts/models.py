"""What a person sets for themselves, whatever organisation they are in, and the credentials
they hold: API tokens and browser sessions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import models
from django.db.models.signals import post_init, post_save
from django.dispatch import receiver
from django.utils import timezone

from kernel.models import TimeStampedModel, validate_time_zone
from kernel.validators import validate_line


class Profile(TimeStampedModel):
    """A person's own preferences. Missing until they first save them: whoever reads one
    reads the defaults for a person without it (``DEFAULT_DIGEST``, no time zone)."""

    class Digest(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly, on Mondays"
        NEVER = "never", "Never"

    class Brief(models.TextChoices):
        WEEKLY = "weekly", "Every Monday"
        OFF = "off", "Off"

    # Read by the digest (reviews.services.digests) for people without a profile too.
    DEFAULT_DIGEST = Digest.DAILY
    # Read by the weekly brief (reviews.services.briefs) likewise.
    DEFAULT_BRIEF = Brief.WEEKLY

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    time_zone = models.CharField(
        "Time zone",
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="Empty: the organisation's time zone.",
    )
    # Here, beside the time zone it is sent in, rather than in the kernel: only the digest
    # reads it, and the kernel's delivery of emails at once never does.
    digest = models.CharField(
        "Digest",
        max_length=10,
        choices=Digest.choices,
        default=DEFAULT_DIGEST,
        help_text="What needs you and what moved in your missions, by email.",
    )
    brief = models.CharField(
        "Weekly brief",
        max_length=10,
        choices=Brief.choices,
        default=DEFAULT_BRIEF,
        help_text="What moved, what is at risk and what needs your decision in your part of "
        "the cascade, by email.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(digest__in=["daily", "weekly", "never"]),
                name="%(app_label)s_%(class)s_digest_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(brief__in=["weekly", "off"]),
                name="%(app_label)s_%(class)s_brief_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        """Tokens that still work: not revoked, not expired."""
        return self.filter(revoked_at=None, expires_at__gt=timezone.now())


class ApiToken(TimeStampedModel):
    """A key for the API, sent as ``Authorization: Token <key>``; a person may hold several.

    Only the SHA-256 of the key is stored: the key itself is shown once, when it is made
    (``accounts.tokens.api_token_create``). A token stops working when it expires, when its
    owner or an administrator revokes it, and when its owner's password changes.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("Name", max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField("Expires")
    last_used_at = models.DateTimeField("Last used", null=True, blank=True)
    revoked_at = models.DateTimeField("Revoked", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="%(app_label)s_%(class)s_expires_after_creation",
            ),
        ]
        indexes = [
            # A person's tokens that have not been revoked: their list, the revocation of all
            # of them at a password change, the limit per person.
            models.Index(
                fields=["user", "expires_at"],
                condition=models.Q(revoked_at=None),
                name="accounts_apitoken_unrevoked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"


class BrowserSession(TimeStampedModel):
    """A browser a person logged in with, so that they can see and end their sessions.

    The session itself lives in Django's session store under ``session_key``; a row whose
    session has expired or ended is not shown, and goes when the person's sessions are
    ended. ``created_at`` is when they logged in.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="browser_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    ip_address = models.GenericIPAddressField("Address", null=True, blank=True)
    user_agent = models.CharField("Browser", max_length=200, blank=True)

    class Meta:
        verbose_name = "browser session"

    def __str__(self) -> str:
        return f"{self.user} since {self.created_at:%Y-%m-%d %H:%M}"


# --- Credentials follow the password --------------------------------------------------------------
# Connected here, in a module every process imports at start-up, so that a password changed
# anywhere (the password pages, the admin, a shell, a management command) revokes the person's
# API tokens and ends their browser sessions.


@receiver(post_init, sender=settings.AUTH_USER_MODEL)
def _remember_stored_password(sender: Any, instance: Any, **kwargs: Any) -> None:
    # From __dict__: a deferred password field must not cost a query.
    instance._password_as_loaded = instance.__dict__.get("password")


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _revoke_credentials_on_password_change(
    sender: Any, instance: Any, created: bool, update_fields: Any, **kwargs: Any
) -> None:
    """Django's own notion of a password change: ``set_password`` then ``save`` (the pending
    raw password is still set while the model is saved; a hash upgrade at log-in clears it
    first, and is no change). Disabling password log-in (an unusable password) counts too."""
    if created or (update_fields is not None and "password" not in update_fields):
        return
    loaded = getattr(instance, "_password_as_loaded", None)
    instance._password_as_loaded = instance.password
    changed = getattr(instance, "_password", None) is not None
    disabled = (
        loaded is not None and loaded != instance.password and not instance.has_usable_password()
    )
    if changed or disabled:
        from .tokens import credentials_revoke_all  # the services import these models

        credentials_revoke_all(user=instance)


@receiver(user_logged_in)
def _remember_browser_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        from .tokens import browser_session_record

        browser_session_record(request=request, user=user)


@receiver(user_logged_out)
def _forget_browser_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        from .tokens import browser_session_forget

        browser_session_forget(session_key=session_key)


@receiver(post_save, sender="authtoken.Token")
def _adopt_drf_token(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """A token made with DRF's own model (``manage.py drf_create_token``, older scripts) becomes
    a hashed, expiring one; the row that held its key in plain text is deleted at once."""
    from .tokens import api_token_adopt

    api_token_adopt(key=instance.key, user=instance.user)
    # Through the queryset: ``instance.delete()`` would clear the key the caller still reads.
    sender.objects.filter(pk=instance.pk).delete()


# --- SCIM provisioning ---------------------------------------------------------------------------
# An organisation's identity provider (Okta, Microsoft Entra ID…) creates, updates and
# deactivates its people and teams through ``/scim/v2/`` (``accounts.scim``).


class ScimTokenQuerySet(models.QuerySet["ScimToken"]):
    def active(self) -> ScimTokenQuerySet:
        return self.filter(revoked_at=None)


class ScimToken(TimeStampedModel):
    """A bearer token that lets an identity provider provision one organisation's people.

    Made and revoked by an admin of the organisation on its People pages; only the SHA-256
    of the key is stored (the key is shown once, when it is made). It names the organisation:
    every SCIM request it authenticates sees that organisation only. No expiry: an identity
    provider's connection is meant to run unattended until an admin revokes it.
    """

    organisation = models.ForeignKey(
        "kernel.Organisation", on_delete=models.CASCADE, related_name="scim_tokens"
    )
    name = models.CharField("Name", max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField("Last used", null=True, blank=True)
    revoked_at = models.DateTimeField("Revoked", null=True, blank=True)

    objects = ScimTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "SCIM token"

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class ScimUser(TimeStampedModel):
    """What the identity provider knows a member by: its ``externalId``. One per organisation
    and person; the person's membership says whether they are active."""

    organisation = models.ForeignKey(
        "kernel.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField("External id", max_length=255, blank=True)

    class Meta:
        verbose_name = "SCIM user"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="%(app_label)s_%(class)s_one_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation} ({self.external_id or 'no external id'})"


class ScimGroup(TimeStampedModel):
    """What the identity provider knows a team by: its ``externalId``."""

    organisation = models.ForeignKey(
        "kernel.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    team = models.OneToOneField("kernel.Team", on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField("External id", max_length=255, blank=True)

    class Meta:
        verbose_name = "SCIM group"

    def __str__(self) -> str:
        return f"{self.team} ({self.external_id or 'no external id'})"


class OrganisationSSO(TimeStampedModel):
    """An organisation's single sign-on: the OpenID Connect provider its people sign in at.

    One per organisation, set by its admins (``accounts.sso``). The client secret is kept as
    it must be sent to the provider, and no page shows it back once saved. People are matched
    by the verified email the provider vouches for; a newcomer is admitted only with a pending
    invitation to the organisation or an address in one of ``allowed_domains``.
    """

    organisation = models.OneToOneField(
        "kernel.Organisation", on_delete=models.CASCADE, related_name="sso"
    )
    issuer = models.URLField(
        "Issuer URL",
        max_length=300,
        help_text="The provider's issuer, e.g. https://example.okta.com or "
        "https://login.microsoftonline.com/<tenant>/v2.0; its discovery document is at "
        "<issuer>/.well-known/openid-configuration.",
    )
    client_id = models.CharField("Client ID", max_length=255, validators=[validate_line])
    client_secret = models.CharField("Client secret", max_length=500)
    allowed_domains = models.CharField(
        "Allowed email domains",
        max_length=500,
        blank=True,
        validators=[validate_line],
        help_text="People with a verified address at these domains may join as staff the "
        "first time they sign in, e.g. “example.org, example.com”. Empty: by invitation only.",
    )
    require_sso = models.BooleanField(
        "Members must sign in with SSO",
        default=False,
        help_text="Members cannot log in with a password; organisation admins still can, so "
        "that a broken provider does not lock the organisation out.",
    )
    enabled = models.BooleanField("On", default=True)

    class Meta:
        verbose_name = "single sign-on"
        verbose_name_plural = "single sign-on"

    def __str__(self) -> str:
        return f"Single sign-on of {self.organisation}"

    def domains(self) -> list[str]:
        """The allowed domains, lower case, without a leading "@"."""
        parts = self.allowed_domains.replace(";", ",").replace(" ", ",").split(",")
        return [part.strip().lstrip("@").lower() for part in parts if part.strip()]
