"""The benchmark suite behind ``make bench`` (``scripts/bench.py`` runs it).

- ``config``: the environment, and the size of the organisation (read before Django starts).
- ``figures``: the median of repeated runs, the raw-SQL baseline and the rows of the table.
- ``organisation``: the organisation measured, generated once and reused.
- ``pages``: pages and API endpoints, in process, with their query counts.
- ``jobs``: the alignment checks and the review reminders, as their commands run them.
- ``load``: wrk against gunicorn.
- ``report``: the table, printed and written into ``docs/PERFORMANCE.md``.
"""
