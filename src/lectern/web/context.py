from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "programme_name": settings.PROGRAMME_NAME,
        "code_of_conduct_url": settings.CODE_OF_CONDUCT_URL,
        "privacy_policy_url": settings.PRIVACY_POLICY_URL,
    }
