from django.db import migrations, models
from django.utils import timezone


def backfill_submitted_on(apps, schema_editor):
    """The local day of every submission already recorded (what ``submission_fields`` stores
    with each new one), a batch at a time."""
    Assessment = apps.get_model("eh_assessments", "Assessment")
    batch = []
    for assessment in Assessment.objects.exclude(submitted_at=None).only("pk", "submitted_at").iterator(2000):
        assessment.submitted_on = timezone.localtime(assessment.submitted_at).date()
        batch.append(assessment)
        if len(batch) == 2000:
            Assessment.objects.bulk_update(batch, ["submitted_on"])
            batch = []
    Assessment.objects.bulk_update(batch, ["submitted_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("eh_assessments", "0005_episode_outcome"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="submitted_on",
            field=models.DateField(
                blank=True,
                editable=False,
                help_text="The local day of submitted_at, kept with it (submission_fields) for reports by day.",
                null=True,
            ),
        ),
        migrations.RunPython(backfill_submitted_on, migrations.RunPython.noop),
    ]
