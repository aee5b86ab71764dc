"""Organisations' e-mail domains move from an array on the organisation to rows of their own,
so that one domain can belong to one organisation only (a unique constraint) and staff can add
and remove them in the service with an audit trail. The existing domains are copied over; a
domain that two organisations listed goes to the one with the lowest id."""

import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

COPY = """
INSERT INTO institute_emaildomain (domain, organisation_id, added_at)
SELECT DISTINCT ON (lower(trim(d))) lower(trim(d)), o.id, now()
FROM institute_organisation o, unnest(o.email_domains) AS d
WHERE trim(d) <> ''
ORDER BY lower(trim(d)), o.id
"""

COPY_BACK = """
UPDATE institute_organisation o SET email_domains = coalesce(
    (SELECT array_agg(e.domain ORDER BY e.domain) FROM institute_emaildomain e
     WHERE e.organisation_id = o.id), '{}')
"""


class Migration(migrations.Migration):
    dependencies = [
        ("institute", "0007_sector_tables_move"),
    ]

    operations = [
        migrations.CreateModel(
            name="EmailDomain",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("domain", models.CharField(max_length=253)),
                ("added_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "added_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    # Named "email_domains" once the array of that name is gone (below).
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="institute.organisation",
                    ),
                ),
            ],
            options={"ordering": ["domain"]},
        ),
        migrations.RunSQL(COPY, COPY_BACK),
        migrations.RemoveIndex(model_name="organisation", name="organisation_email_domains"),
        migrations.RemoveField(model_name="organisation", name="email_domains"),
        migrations.AlterField(
            model_name="emaildomain",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="email_domains",
                to="institute.organisation",
            ),
        ),
        migrations.AddConstraint(
            model_name="emaildomain",
            constraint=models.UniqueConstraint(
                fields=("domain",), name="email_domain_one_organisation"
            ),
        ),
        migrations.AddConstraint(
            model_name="emaildomain",
            constraint=models.CheckConstraint(
                condition=models.Q(("domain", django.db.models.functions.text.Lower("domain"))),
                name="email_domain_lower_case",
            ),
        ),
    ]
