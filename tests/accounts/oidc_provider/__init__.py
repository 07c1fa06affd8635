"""A real OpenID Connect provider for the single sign-on tests: a small Django project of its
own with django-oauth-toolkit, started in a subprocess on 127.0.0.1 with its own SQLite
database and RSA key (``tests/accounts/test_browser_sso.py``). Not part of the product."""
