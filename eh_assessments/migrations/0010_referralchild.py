import django.db.models.deletion
from django.db import migrations, models

# A link is a re-referral when the same child's previous link (by the day the request was
# received, then the request's pk: "earlier" in eh_assessments.rereferral) was received on or
# after the day 12 calendar months before. PostgreSQL's interval arithmetic clamps 29 February
# to 28 February as relativedelta does; SQLite's date() rolls it over to 1 March, so a leap
# day steps back a day first (28 February a year before is the same anniversary).
WINDOW_START = {
    "postgresql": "(ordered.received_on - interval '12 months')::date",
    "sqlite": (
        "CASE WHEN strftime('%m-%d', ordered.received_on) = '02-29' "
        "THEN date(ordered.received_on, '-1 day', '-12 months') "
        "ELSE date(ordered.received_on, '-12 months') END"
    ),
}


def backfill_rereferral(apps, schema_editor):
    """Set every link's flag in one statement (the rule as it stood when this migration was
    written, not whatever the app's code says later), writing only the rows that change."""
    vendor = schema_editor.connection.vendor
    if vendor not in WINDOW_START:
        raise NotImplementedError(f"No re-referral backfill for {vendor}")
    quote = schema_editor.quote_name
    links = quote(apps.get_model("eh_assessments", "ReferralChild")._meta.db_table)
    referrals = quote(apps.get_model("eh_assessments", "Referral")._meta.db_table)
    flag = f"COALESCE(ordered.previous_on >= {WINDOW_START[vendor]}, FALSE)"
    schema_editor.execute(
        f"""
        WITH ordered AS (
            SELECT link.id,
                   referral.received_on,
                   LAG(referral.received_on) OVER (
                       PARTITION BY link.person_id ORDER BY referral.received_on, link.referral_id
                   ) AS previous_on
              FROM {links} link
              JOIN {referrals} referral ON referral.id = link.referral_id
        )
        UPDATE {links}
           SET rereferral = {flag}
          FROM ordered
         WHERE {links}.id = ordered.id AND {links}.rereferral <> {flag}
        """
    )


class Migration(migrations.Migration):
    """``Referral.children`` gets an explicit through model on the table Django created for it
    (Django's documented way: the state changes, the database does not), then the stored
    re-referral flag."""

    dependencies = [
        ("eh_assessments", "0009_episode_service"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ReferralChild",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="referral_links",
                                to="eh_assessments.person",
                            ),
                        ),
                        (
                            "referral",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="child_links",
                                to="eh_assessments.referral",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "eh_assessments_referral_children",
                        "unique_together": {("referral", "person")},
                    },
                ),
                migrations.AlterField(
                    model_name="referral",
                    name="children",
                    field=models.ManyToManyField(
                        related_name="referrals", through="eh_assessments.ReferralChild", to="eh_assessments.person"
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="referralchild",
            name="rereferral",
            field=models.BooleanField(
                default=False,
                help_text="The child was named on an earlier request received within the 12 months before this one "
                "(eh_assessments.rereferral).",
            ),
        ),
        migrations.RunPython(backfill_rereferral, migrations.RunPython.noop),
    ]
