"""SCIM 2.0 provisioning: an organisation's identity provider (Okta, Microsoft Entra ID…)
creates, updates and deactivates its members (Users) and teams (Groups) under ``/scim/v2/``.

- ``tokens``: the organisation's bearer tokens (made and revoked on its People pages).
- ``protocol``: SCIM's errors, filters, paths and PATCH operations (Okta's and Entra's).
- ``users``, ``groups``: how a User maps to an account and its membership, a Group to a team.
- ``views``, ``urls``: the endpoints; ``pages``: the admins' page for tokens.

Written here on DRF rather than with django-scim2: that package is configured once for the
whole site (``SCIM_SERVICE_PROVIDER``: one user adapter, one authentication check on
``request.user``), whereas here the token itself names the organisation, every query is
scoped to it (and to its row-level security), and a User is a membership of that
organisation rather than the global account. Its adapters would have had to re-derive the
organisation on every call; the part of SCIM identity providers use is small enough to own.
"""
