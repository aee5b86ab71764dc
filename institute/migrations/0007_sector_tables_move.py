"""The per-council figures and metric snapshots belong to the sector app now (its migration
0001 renamed the tables): the core forgets their models."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("institute", "0006_servicearea"),
        ("sector", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="CouncilStats"),
                migrations.DeleteModel(name="MetricSnapshot"),
            ]
        )
    ]
