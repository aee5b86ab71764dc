import django.contrib.postgres.indexes
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from institute import search_words


class Migration(migrations.Migration):
    dependencies = [
        ("institute", "0010_user_home_seen_at"),
    ]

    operations = [
        TrigramExtension(),
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("word", models.CharField(max_length=40, primary_key=True, serialize=False)),
            ],
            options={
                "indexes": [
                    django.contrib.postgres.indexes.GistIndex(
                        fields=["word"], name="search_word_trgm", opclasses=["gist_trgm_ops"]
                    )
                ],
            },
        ),
        migrations.RunSQL(search_words.FUNCTIONS, search_words.DROP_FUNCTIONS),
        search_words.triggers("institute_organisation", "name"),
    ]
