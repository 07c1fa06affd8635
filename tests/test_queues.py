"""Every task of ours goes to one of the four workload queues (``missionlead.queues``): a new
task cannot land on a queue no worker of its kind consumes, nor behind the nightly jobs."""

from __future__ import annotations

from missionlead.celery import app
from missionlead.queues import QUEUES, ROUTES, queue_for


def our_tasks() -> set[str]:
    app.loader.import_default_modules()  # the autodiscovered tasks.py of every app
    return {name for name in app.tasks if not name.startswith("celery.")}


def routed_queue(name: str, args: tuple = (), kwargs: dict | None = None) -> str:
    """Where Celery itself sends the task, through the settings' router."""
    options = app.amqp.router.route({}, name, args, kwargs or {})
    return options["queue"].name


def test_every_task_has_its_workload_queue() -> None:
    tasks = our_tasks()
    assert len(tasks) >= 20
    assert {name: queue_for(name) for name in tasks if queue_for(name) not in QUEUES} == {}
    assert set(ROUTES) == tasks, "a route names a task that is no more"


def test_celery_sends_each_task_to_its_queue() -> None:
    assert routed_queue("reviews.tasks.review_send_reminders", ([1],)) == "notifications"
    assert routed_queue("measures.tasks.kpi_refresh_nightly") == "forecast"
    assert routed_queue("reviews.tasks.alignment_checks_nightly") == "checks"
    # One organisation's whole run is the checks'; one subtree a person just changed is theirs.
    assert routed_queue("reviews.tasks.alignment_check_organisation", (1, None)) == "checks"
    assert routed_queue("reviews.tasks.alignment_check_organisation", (1, 7)) == "interactive"
    assert (
        routed_queue("reviews.tasks.alignment_check_organisation", (), {"organisation_id": 1})
        == "checks"
    )
    # Celery's own tasks: the default queue.
    assert routed_queue("celery.backend_cleanup") == "interactive"


def test_a_worker_without_queues_named_consumes_all_four() -> None:
    """``make worker`` and ``make run`` start one worker without ``-Q``: it takes every queue
    the settings declare."""
    assert [queue.name for queue in app.conf.task_queues] == list(QUEUES)
    assert app.conf.task_default_queue == "interactive"
