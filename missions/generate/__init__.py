"""A synthetic organisation for scale tests, as ``manage.py generate_org`` writes it.

About N missions in a realistic cascade (organisation missions, team missions several levels
deep following a team hierarchy, individual missions of the teams' members), with the teams,
people (users and memberships), KPIs, check-ins, key tasks, reviews and interdependencies. One
directorate is about three times the size of the others, so at N = 100,000 one organisation
mission heads a subtree of well over 10,000 missions (printed at the end, for benchmarks).

On PostgreSQL the rows go in with ``COPY`` in batches, sent by a thread while the next batch
is drawn; ids are taken from the sequences up front, a block per table, so every mission's
materialized path is known before it is written and nothing is written twice. Elsewhere
(SQLite) the same rows go through ``bulk_create``. Everything happens in one transaction: a
failure leaves the database as it was. Every database rule holds: the cascade's level and owner
rules, periods, range KPIs, the same-organisation keys and the append-only check-ins; the
foreign keys of the tables loaded are dropped for the load and added back, which checks every
row at once (``tables.foreign_keys_checked_after_load``), and so are most of their indexes,
built once from the rows loaded (``tables.indexes_built_after_load``).

The steps, in the order they run (the random draws: plan, missions, KPIs, check-ins, key tasks,
interdependencies, from one seeded generator):

- ``plan``: the shape (teams, people, the cascade) as indexes, before any id exists;
- ``cascade``: the missions, drawn (written later);
- ``kpis``: the KPIs, drawn, then their check-ins, written at once: worker processes compute
  the KPIs' figures from them (``forecasts``, most of the work) while everything else is
  written;
- ``people``, ``cascade``, ``work`` and ``reviews``: users, teams and their leaders,
  memberships, coaches; the missions; key tasks, reviews, interdependencies;
- ``kpis`` again: the KPIs with their figures, a batch as soon as the workers hand it back.

``generator`` runs them in one transaction, ``tables`` writes the rows, and ``purge`` removes
an organisation (``--replace``, and ``seed_demo --reset``).
"""
