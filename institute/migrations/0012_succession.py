"""Several successors for an organisation, each with its date (issue 19).

The single `successor` foreign key becomes `Succession` rows dated the day after the
predecessor closed; Surrey County Council, which had none, is succeeded by both East Surrey
and West Surrey on 1 April 2027.
"""

import datetime

import django.db.models.deletion
from django.db import migrations, models

SURREY_COUNTY = "E10000030"
SURREY_SUCCESSORS = ["east-surrey-council", "west-surrey-council"]
SURREY_CHANGE = datetime.date(2027, 4, 1)


def forwards(apps, schema_editor):
    Organisation = apps.get_model("institute", "Organisation")
    Succession = apps.get_model("institute", "Succession")
    for org in Organisation.objects.filter(successor__isnull=False).select_related("successor"):
        if org.valid_to:
            date = org.valid_to + datetime.timedelta(days=1)
        else:
            date = org.successor.valid_from or datetime.date.today()
        Succession.objects.get_or_create(
            predecessor=org, successor=org.successor, defaults={"date": date}
        )
    surrey = Organisation.objects.filter(gss_code=SURREY_COUNTY).first()
    for successor in Organisation.objects.filter(slug__in=SURREY_SUCCESSORS):
        if surrey is not None:
            Succession.objects.get_or_create(
                predecessor=surrey, successor=successor, defaults={"date": SURREY_CHANGE}
            )


def backwards(apps, schema_editor):
    # Back to one successor each: the earliest one (Surrey County had none before).
    Organisation = apps.get_model("institute", "Organisation")
    Succession = apps.get_model("institute", "Succession")
    for succession in Succession.objects.exclude(predecessor__gss_code=SURREY_COUNTY).order_by(
        "-date", "-successor__name"
    ):
        Organisation.objects.filter(pk=succession.predecessor_id).update(
            successor=succession.successor_id
        )


class Migration(migrations.Migration):
    dependencies = [("institute", "0011_search_words")]

    operations = [
        migrations.CreateModel(
            name="Succession",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "date",
                    models.DateField(help_text="The first day the successor is responsible"),
                ),
                (
                    "predecessor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="successions_out",
                        to="institute.organisation",
                    ),
                ),
                (
                    "successor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="successions_in",
                        to="institute.organisation",
                    ),
                ),
            ],
            options={
                "ordering": ["date", "successor__name"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("predecessor", "successor"), name="succession_unique_pair"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("predecessor", models.F("successor")), _negated=True),
                        name="succession_not_itself",
                    ),
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="organisation", name="successor"),
        migrations.AddField(
            model_name="organisation",
            name="successors",
            field=models.ManyToManyField(
                blank=True,
                related_name="predecessors",
                through="institute.Succession",
                through_fields=("predecessor", "successor"),
                to="institute.organisation",
            ),
        ),
    ]
