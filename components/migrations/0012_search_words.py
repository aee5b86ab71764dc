from django.db import migrations

from institute import search_words


class Migration(migrations.Migration):
    dependencies = [
        ("components", "0011_adoption_organisation_since"),
        ("institute", "0011_search_words"),
    ]

    operations = [
        search_words.triggers("components_component", "name"),
    ]
