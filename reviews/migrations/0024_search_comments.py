"""Comments are found by the search box too: a trigger keeps their entries as migration 0022's
keep the missions', KPIs' and key tasks'. A removed comment is found no more."""

from django.db import migrations, models

TRIGGER = [
    """
    CREATE FUNCTION reviews_comment_search() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF current_setting('missionlead.search_later', true) = 'on' THEN
        RETURN NULL;
      END IF;
      IF TG_OP = 'DELETE' OR NEW.removed_at IS NOT NULL THEN
        DELETE FROM reviews_searchentry WHERE kind = 'comment' AND object_id = OLD.id;
        RETURN NULL;
      END IF;
      INSERT INTO reviews_searchentry (organisation_id, kind, object_id, vector)
      VALUES (NEW.organisation_id, 'comment', NEW.id, reviews_search_words('', NEW.body))
      ON CONFLICT (kind, object_id)
      DO UPDATE SET vector = EXCLUDED.vector, organisation_id = EXCLUDED.organisation_id;
      RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER reviews_comment_search AFTER INSERT OR DELETE ON reviews_comment "
    "FOR EACH ROW EXECUTE FUNCTION reviews_comment_search()",
    "CREATE TRIGGER reviews_comment_search_words AFTER UPDATE ON reviews_comment FOR EACH ROW "
    "WHEN (OLD.body IS DISTINCT FROM NEW.body OR OLD.removed_at IS DISTINCT FROM NEW.removed_at) "
    "EXECUTE FUNCTION reviews_comment_search()",
    "INSERT INTO reviews_searchentry (organisation_id, kind, object_id, vector) "
    "SELECT organisation_id, 'comment', id, reviews_search_words('', body) "
    "FROM reviews_comment WHERE removed_at IS NULL",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in TRIGGER:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER reviews_comment_search ON reviews_comment")
    schema_editor.execute("DROP TRIGGER reviews_comment_search_words ON reviews_comment")
    schema_editor.execute("DROP FUNCTION reviews_comment_search()")
    schema_editor.execute("DELETE FROM reviews_searchentry WHERE kind = 'comment'")


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0023_comments_and_mentions'),
    ]

    operations = [
        migrations.AlterField(
            model_name='searchentry',
            name='kind',
            field=models.CharField(choices=[('mission', 'Mission'), ('kpi', 'KPI'), ('key_task', 'Key task'), ('comment', 'Comment')], max_length=10),
        ),
        migrations.RunPython(create, drop),
    ]
