from django.db import migrations

from institute import search_words


class Migration(migrations.Migration):
    dependencies = [
        ("components", "0010_search_title_trigram"),
        ("institute", "0011_search_words"),
    ]

    operations = [
        search_words.triggers("components_component", "name"),
    ]
