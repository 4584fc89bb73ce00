from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lectern.accounts.models import User, normalize_email
from lectern.accounts.services import login_link_create


class Command(BaseCommand):
    help = "Print a one-time sign-in link for an existing user (for support and demos)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        user = User.objects.filter(email=normalize_email(email), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with the email {email}.")
        self.stdout.write(login_link_create(user=user))
