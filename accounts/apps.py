from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """A person's own account: sign-up, profile and time zone, password, invitations taken up."""

    name = "accounts"
    verbose_name = "Accounts"
