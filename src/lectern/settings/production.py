"""Production: refuses to start without a secret key given; HTTPS-only cookies and HSTS."""

import os

from django.core.exceptions import ImproperlyConfigured

# Checked before base is read, so that no local key is ever made in production.
if not os.environ.get("LECTERN_SECRET_KEY"):
    raise ImproperlyConfigured(
        "LECTERN_SECRET_KEY must be set in production (a long random string, kept secret)."
    )

from lectern.settings.base import *  # noqa: F403
from lectern.settings.base import env_bool

SECRET_KEY = os.environ["LECTERN_SECRET_KEY"]
DEBUG = False

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("LECTERN_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("LECTERN_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
if env_bool("LECTERN_BEHIND_PROXY", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
