"""Row-level security on the leadership tables, as every tenant table has it; and composite
keys that keep a stakeholder on a mission of its own organisation and a contact on a
stakeholder of its own (``kernel.row_security``)."""

from django.db import migrations

from kernel.row_security import secure_tenant_tables


class Migration(migrations.Migration):
    dependencies = [("leadership", "0001_initial")]
    operations = [
        secure_tenant_tables(
            "leadership_stakeholder",
            "leadership_contact",
            same_organisation=[
                ("leadership_stakeholder", "mission_id", "missions_mission"),
                ("leadership_contact", "stakeholder_id", "leadership_stakeholder"),
            ],
        )
    ]
