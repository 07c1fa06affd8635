from django.apps import AppConfig


class KernelConfig(AppConfig):
    """The organisation, its people, permissions, audit and inbox: what every app stands on."""

    name = "kernel"
    verbose_name = "Organisations and people"

    def ready(self) -> None:
        from . import lookups  # noqa: F401  registers ``__any_of`` on every field
