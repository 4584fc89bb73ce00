"""Each trainee gets a personal link nonce of their own (AddField alone gives every existing
row the same default)."""

import secrets

from django.db import migrations, models

import lectern.registrations.tokens


def own_nonces(apps, schema_editor):
    Trainee = apps.get_model("registrations", "Trainee")
    for trainee in Trainee.objects.only("pk").iterator():
        Trainee.objects.filter(pk=trainee.pk).update(link_nonce=secrets.token_hex(16))


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0002_trainee_erased_at_trainee_github_trainee_orcid_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="trainee",
            name="link_nonce",
            field=models.CharField(
                default=lectern.registrations.tokens.new_nonce,
                help_text="Part of the personal link's signature; change it to replace the link.",
                max_length=32,
            ),
        ),
        migrations.RunPython(own_nonces, migrations.RunPython.noop),
    ]
