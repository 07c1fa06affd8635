"""The demo organisation that ``manage.py seed_demo`` builds.

Its content is data, in the TOML files of this directory: the organisation, its vision, teams
and people (organisation.toml), its missions with their KPIs and key tasks (missions-*.toml,
one file per level of the cascade), the links between missions (interdependencies.toml) and
how the months of check-ins and reviews are drawn (story.toml). ``data`` reads them,
``history`` turns them into dates and values for the day the demo is built, and ``seeder``
writes them through the services; ``past`` draws the alignment snapshots of the 90 days before
(the dashboards' trend) from what the demo holds once today's checks have run.

Beside it, the same machinery builds its coalition partner, the county council (council.toml,
organisation and missions in one file), and ``coalition`` writes the coalition of the two
(coalition.toml) through the coalition services.
"""
