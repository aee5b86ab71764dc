from django.db import migrations

from institute import search_words


class Migration(migrations.Migration):
    dependencies = [
        ("backlog", "0008_servicearea_moves_to_institute"),
        ("institute", "0011_search_words"),
    ]

    operations = [
        search_words.triggers("backlog_problem", "title"),
    ]
