"""Store each event's deadline instants (events.deadlines) and the low-enrolment decision."""

from typing import Any

from django.db import migrations, models

COLUMNS = (
    "registration_closes_at",
    "enrolment_decision_at",
    "trainer_notice_at",
    "emergency_closes_at",
    "attendance_closes_at",
)


def fill(apps: Any, schema_editor: Any) -> None:
    """Compute the instants; an event already past its low-enrolment decision was decided by
    the rule before this record existed (the count it saw is unknown), so it is not decided
    again on today's numbers."""
    from lectern.core import clock
    from lectern.events.deadlines import stored_instants

    now = clock.now()
    Event = apps.get_model("events", "Event")
    for event in Event.objects.all().iterator():
        for column, value in stored_instants(event).items():
            setattr(event, column, value)
        if event.enrolment_decision_at <= now:
            event.enrolment_decided_at = event.enrolment_decision_at
        event.save(update_fields=[*COLUMNS, "enrolment_decided_at"])


class Migration(migrations.Migration):
    dependencies = [("events", "0002_in_house_events")]

    operations = [
        *(
            migrations.AddField("event", column, models.DateTimeField(null=True))
            for column in COLUMNS
        ),
        migrations.AddField(
            "event",
            "enrolment_decided_at",
            models.DateTimeField(
                blank=True, null=True, help_text="When the low-enrolment decision was taken."
            ),
        ),
        migrations.AddField(
            "event",
            "enrolment_at_decision",
            models.PositiveIntegerField(
                blank=True, null=True, help_text="Confirmed registrations when it was taken."
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            "event", "registration_closes_at", models.DateTimeField(db_index=True)
        ),
        migrations.AlterField(
            "event", "enrolment_decision_at", models.DateTimeField(db_index=True)
        ),
        migrations.AlterField("event", "trainer_notice_at", models.DateTimeField()),
        migrations.AlterField("event", "emergency_closes_at", models.DateTimeField()),
        migrations.AlterField("event", "attendance_closes_at", models.DateTimeField(db_index=True)),
    ]
