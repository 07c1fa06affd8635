"""The fault suite behind ``make chaos``.

The product's background work runs through real processes (``celery worker`` with the prefork
pool, ``celery beat``, gunicorn) against a throwaway PostgreSQL and Redis, while the harness
injects one fault per scenario: a pool child or the whole worker killed with SIGKILL, Redis
killed and restarted, PostgreSQL restarted, two beats at once. Every effect the work has on
the outside world is counted against the set that was due, so a scenario reports how many
were sent, lost and duplicated, and whether the same processes went on working afterwards.

- ``processes``: the worker, beat and web server as subprocesses, and bounded waiting.
- ``services``: the faults on PostgreSQL and Redis (found from their connections, not paths).
- ``mailbox``: an SMTP server in the harness that the workers send their email to.
- ``effects``: what is counted — one class per kind of effect.
- ``data``: the three organisations and the reminders due today that every scenario starts from.
- ``harness``: the servers and data shared by every scenario, and one scenario's run.
- ``faults``: the faults, and how a scenario starts its work.
- ``scenarios``: the scenarios, each a fault and when it strikes.
- ``runner``: the run of one scenario, step by step, and its result.
- ``report``: the table, printed and written into ``docs/reliability.md``.
"""
