"""Creates the test provider's tables, its client application and its users:
``python -m tests.accounts.oidc_provider.seed <client_id> <client_secret> <redirect_uri>
<username:email:password>...``."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.accounts.oidc_provider.settings")


def main(argv: list[str]) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import User
    from oauth2_provider.models import Application

    client_id, client_secret, redirect_uri, *people = argv
    Application.objects.create(
        name="Mission Leadership",
        client_id=client_id,
        client_secret=client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect_uri,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    for person in people:
        username, email, password = person.split(":")
        User.objects.create_user(username, email, password, first_name=username.title())


if __name__ == "__main__":
    main(sys.argv[1:])
