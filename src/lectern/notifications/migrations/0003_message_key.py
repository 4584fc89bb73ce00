"""Keep the deduplication key apart from the kind's name.

Kinds sent more than once about one object used to carry their key in their name
(`checkout_reminder_30d_20270501`); the key moves to its own column, and the kind keeps its
one name (`checkout_reminder`, key `30d_20270501`). The old unique constraint goes first:
two reminders about one checkout are one kind once their keys have moved.
"""

from django.db import migrations, models
from django.db.models.functions import Concat, Substr

# Kinds that carried their key in their name, as they were named then.
KEYED_KINDS = (
    "checkout_expired",
    "checkout_reminder",
    "coordinator_checkin",
    "social_event_suggestion",
)


def keys_apart(apps, schema_editor):
    Message = apps.get_model("notifications", "Message")
    for kind in KEYED_KINDS:
        prefix = f"{kind}_"
        old = Message.objects.filter(kind__startswith=prefix, key="")
        old.update(key=Substr("kind", len(prefix) + 1))
        Message.objects.filter(kind__startswith=prefix).exclude(key="").update(kind=kind)


def keys_together(apps, schema_editor):
    Message = apps.get_model("notifications", "Message")
    keyed = Message.objects.filter(kind__in=KEYED_KINDS).exclude(key="")
    keyed.update(kind=Concat("kind", models.Value("_"), "key"), key="")


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_rulerun"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="key",
            field=models.CharField(
                blank=True,
                default="",
                help_text="What makes another email of this kind about this object legitimate.",
                max_length=64,
            ),
        ),
        migrations.RemoveConstraint(model_name="message", name="message_once"),
        migrations.RunPython(keys_apart, keys_together),
        migrations.AddConstraint(
            model_name="message",
            constraint=models.UniqueConstraint(
                fields=("kind", "object_type", "object_id", "recipient", "key"),
                name="message_once",
            ),
        ),
    ]
