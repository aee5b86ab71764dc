from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    """The index search walks to rank only the most-demanded matches (docs/performance.md).

    Built concurrently: votes keep being written while it builds on a large backlog."""

    atomic = False

    dependencies = [
        ("backlog", "0006_history"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="problem",
            index=models.Index(
                condition=models.Q(("status", "merged"), _negated=True),
                fields=["-council_count", "-id"],
                include=("title_vector",),
                name="problem_search_demand",
            ),
        ),
    ]
