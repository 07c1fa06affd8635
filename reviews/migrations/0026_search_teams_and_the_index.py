"""The search box reads its full-text index: the entries leave row-level security (under a
policy PostgreSQL cannot use the index for a non-leakproof ``@@``; see ``SearchEntry``), one
GIN index covers the organisation and the words, and teams' names join the entries (kept by a trigger), since the teams' table keeps its policy and
its name index was never read for the same reason. People's names are indexed on the users'
table, which has no policy."""


from django.db import migrations, models

from kernel.row_security import RULE

TEAMS = [
    """
    CREATE FUNCTION reviews_search_name(name text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT setweight(to_tsvector('simple'::regconfig, coalesce(name, '')), 'A')
    $$
    """,
    """
    CREATE FUNCTION missions_team_search() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF current_setting('missionlead.search_later', true) = 'on' THEN
        RETURN NULL;
      END IF;
      IF TG_OP = 'DELETE' THEN
        DELETE FROM reviews_searchentry WHERE kind = 'team' AND object_id = OLD.id;
        RETURN NULL;
      END IF;
      INSERT INTO reviews_searchentry (organisation_id, kind, object_id, vector)
      VALUES (NEW.organisation_id, 'team', NEW.id, reviews_search_name(NEW.name))
      ON CONFLICT (kind, object_id)
      DO UPDATE SET vector = EXCLUDED.vector, organisation_id = EXCLUDED.organisation_id;
      RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER missions_team_search AFTER INSERT OR DELETE ON missions_team "
    "FOR EACH ROW EXECUTE FUNCTION missions_team_search()",
    "CREATE TRIGGER missions_team_search_words AFTER UPDATE ON missions_team FOR EACH ROW "
    "WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.organisation_id IS DISTINCT FROM "
    "NEW.organisation_id) EXECUTE FUNCTION missions_team_search()",
    "DROP INDEX reviews_search_team_name",
    # One index for a word within one organisation: the organisation's entries and the word's
    # in one GIN scan (btree_gin, a trusted extension that ships with PostgreSQL), not a
    # choice the planner makes between an index of the organisation's entries (all of them,
    # for a word found nowhere) and one of the word's across every organisation.
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "DROP INDEX reviews_search_vector",
    "CREATE INDEX reviews_search_vector ON reviews_searchentry "
    "USING gin (organisation_id, vector)",
    "DROP POLICY reviews_searchentry_tenant ON reviews_searchentry",
    "ALTER TABLE reviews_searchentry NO FORCE ROW LEVEL SECURITY",
    "ALTER TABLE reviews_searchentry DISABLE ROW LEVEL SECURITY",
    # Last: the rows written queue their deferred foreign-key checks, and PostgreSQL refuses
    # to alter or index a table with checks pending.
    "INSERT INTO reviews_searchentry (organisation_id, kind, object_id, vector) "
    "SELECT organisation_id, 'team', id, reviews_search_name(name) FROM missions_team",
]
UNDO = [
    "DROP INDEX reviews_search_vector",
    "CREATE INDEX reviews_search_vector ON reviews_searchentry USING gin (vector)",
    "ALTER TABLE reviews_searchentry ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE reviews_searchentry FORCE ROW LEVEL SECURITY",
    f"CREATE POLICY reviews_searchentry_tenant ON reviews_searchentry USING {RULE} "
    f"WITH CHECK {RULE}",
    "CREATE INDEX reviews_search_team_name ON missions_team "
    "USING gin (to_tsvector('simple'::regconfig, name))",
    "DELETE FROM reviews_searchentry WHERE kind = 'team'",
    "DROP TRIGGER missions_team_search ON missions_team",
    "DROP TRIGGER missions_team_search_words ON missions_team",
    "DROP FUNCTION missions_team_search()",
    "DROP FUNCTION reviews_search_name(text)",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0025_calendar_feed'),
    ]

    operations = [
        migrations.AlterField(
            model_name='searchentry',
            name='kind',
            field=models.CharField(choices=[('mission', 'Mission'), ('kpi', 'KPI'), ('key_task', 'Key task'), ('comment', 'Comment'), ('team', 'Team')], max_length=10),
        ),
        migrations.RemoveIndex(model_name='searchentry', name='reviews_search_org_kind'),
        migrations.RemoveConstraint(model_name='searchentry', name='reviews_search_one'),
        migrations.AddConstraint(
            model_name='searchentry',
            constraint=models.UniqueConstraint(fields=('object_id', 'kind'), name='reviews_search_one'),
        ),
        migrations.RunPython(run(TEAMS), run(UNDO)),
    ]
