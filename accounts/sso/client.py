"""The OpenID Connect client of one organisation's provider, built for each request from its
stored configuration (nothing is registered process-wide, so one organisation's provider is
never used for another).

Authlib does the protocol: discovery, the authorisation-code flow with PKCE (S256), ``state``
and ``nonce`` kept in the session, the code exchanged with the client secret, and the ID token
checked against the provider's JWKS (signature, issuer, audience, expiry, nonce).
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.django_client import DjangoOAuth2App, OAuth, OAuthError
from django.http import HttpRequest, HttpResponse

from ..models import OrganisationSSO

SCOPES = "openid email profile"
# Seconds to wait for the provider's discovery document, keys and token endpoint.
PROVIDER_TIMEOUT = 10

__all__ = ["OAuthError", "authorisation_redirect", "verified_claims"]


def discovery_url(config: OrganisationSSO) -> str:
    return config.issuer.rstrip("/") + "/.well-known/openid-configuration"


def _client(config: OrganisationSSO) -> DjangoOAuth2App:
    registry = OAuth()
    client: DjangoOAuth2App = registry.register(
        name=f"organisation-{config.organisation_id}",
        client_id=config.client_id,
        client_secret=config.client_secret,
        server_metadata_url=discovery_url(config),
        client_kwargs={
            "scope": SCOPES,
            "code_challenge_method": "S256",
            "default_timeout": PROVIDER_TIMEOUT,
        },
    )
    return client


def authorisation_redirect(
    request: HttpRequest, config: OrganisationSSO, *, redirect_uri: str, login_hint: str = ""
) -> HttpResponse:
    """The redirect to the provider's sign-in; state, nonce and the PKCE verifier are kept in
    the session for the callback."""
    extra = {"login_hint": login_hint} if login_hint else {}
    response: HttpResponse = _client(config).authorize_redirect(request, redirect_uri, **extra)
    return response


def verified_claims(request: HttpRequest, config: OrganisationSSO) -> dict[str, Any]:
    """The claims of the ID token the callback's code is exchanged for, once checked; raises
    ``OAuthError`` for a wrong state, a refused code or a token that does not verify."""
    client = _client(config)
    metadata = client.load_server_metadata()
    # The discovery document must name the issuer the admin configured (OpenID Connect
    # Discovery 4.3); the ID token's ``iss`` is then checked against it.
    if metadata.get("issuer", "").rstrip("/") != config.issuer.rstrip("/"):
        raise OAuthError(description="The provider's discovery document names another issuer.")
    token = client.authorize_access_token(
        request, claims_options={"iss": {"essential": True, "values": [metadata["issuer"]]}}
    )
    userinfo = token.get("userinfo")
    if not userinfo:
        raise OAuthError(description="The provider sent no ID token.")
    return dict(userinfo)
