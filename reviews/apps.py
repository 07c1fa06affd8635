from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews and alignment"

    def ready(self) -> None:
        from kernel.signals import cascade_changed

        from . import receivers

        cascade_changed.connect(receivers.schedule_alignment_check, dispatch_uid="alignment")
