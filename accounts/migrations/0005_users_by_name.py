"""An index on people's names in the order every list of people shows them (last name, then
user name): the People page's page of 50 members is read in that order and stops at 50,
instead of sorting every member of the organisation (95 ms at 55,000 members)."""

from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_profile_brief"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS auth_user_by_name ON auth_user (last_name, username)",
            reverse_sql="DROP INDEX IF EXISTS auth_user_by_name",
        )
    ]
