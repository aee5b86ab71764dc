"""The taxonomy of council service areas that problems (and later components and learning) use."""

from django.db import migrations
from django.utils.text import slugify

SERVICE_AREAS = [
    "Adult social care",
    "Children's services",
    "Corporate IT, finance and HR",
    "Customer services",
    "Education and skills",
    "Elections and registration",
    "Environmental health",
    "Highways and transport",
    "Housing",
    "Libraries and culture",
    "Planning and building control",
    "Public health",
    "Revenues and benefits",
    "Waste and recycling",
]


def load(apps, schema_editor):
    ServiceArea = apps.get_model("backlog", "ServiceArea")
    for name in SERVICE_AREAS:
        ServiceArea.objects.update_or_create(slug=slugify(name), defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("backlog", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
