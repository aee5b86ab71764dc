from django.db import migrations

from institute import search_words


class Migration(migrations.Migration):
    dependencies = [
        ("backlog", "0009_demand_organisation_problem"),
        ("institute", "0011_search_words"),
    ]

    operations = [
        search_words.triggers("backlog_problem", "title"),
    ]
