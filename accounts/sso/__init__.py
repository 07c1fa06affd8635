"""Single sign-on with OpenID Connect, one provider per organisation.

- ``services``: an organisation's configuration, which organisation a person signs in with,
  who a verified email is (and whether a newcomer may join), and who must not use a password.
- ``client``: the authorisation-code flow with PKCE, state and nonce, and the check of the ID
  token against the provider's published keys (Authlib does the protocol).
- ``views``: the "Sign in with your organisation" pages and the callback; ``pages``: the admins'
  page under ``/o/<org>/people/sso/``.
"""
