from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("notifications", "0005_message_templates_and_context")]

    operations = [
        migrations.AddField(
            model_name="message",
            name="written",
            field=models.BooleanField(
                db_default=True,
                default=True,
                help_text="Off until the sender writes it: the email of a kind written when it is sent has no subject, body or files before.",
            ),
        ),
    ]
