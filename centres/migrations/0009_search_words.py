from django.db import migrations

from institute import search_words


class Migration(migrations.Migration):
    dependencies = [
        ("centres", "0008_search_title_trigram"),
        ("institute", "0011_search_words"),
    ]

    operations = [
        search_words.triggers("centres_learning", "title"),
        search_words.triggers("centres_centre", "name"),
    ]
