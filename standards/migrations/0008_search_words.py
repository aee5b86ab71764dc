from django.db import migrations

from institute import search_words


class Migration(migrations.Migration):
    dependencies = [
        ("standards", "0007_audited_result_replaces_self_assessed"),
        ("institute", "0011_search_words"),
    ]

    operations = [
        search_words.triggers("standards_standard", "title"),
    ]
