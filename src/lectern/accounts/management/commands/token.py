from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lectern.accounts.services import ROLES, token_create, user_ensure
from lectern.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Create the user if needed, give them the role, and print a new API token on the last line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", required=True, choices=ROLES)
        parser.add_argument("--name", default="", help="The token's name, to recognise it later.")

    def handle(self, *args: Any, email: str, role: Any, name: str, **options: Any) -> None:
        try:
            user = user_ensure(email=email, role=role)
        except DomainError as error:
            raise CommandError(error.explained()) from error
        token = token_create(user=user, name=name or f"cli {role}")
        self.stderr.write(f"API token for {user.email} ({role}); it is shown only once:")
        self.stdout.write(token)
