"""Settings for every environment, read from the environment (12-factor).

`LECTERN_DATA_DIR` holds the SQLite database, the local secret key, mail files and
generated documents. `DATABASE_URL` and `EMAIL_URL` override the embedded defaults.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from lectern.core.email_url import email_settings_from_url

SRC_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("LECTERN_DATA_DIR", "var")).resolve()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_optional_int(name: str) -> int | None:
    """A positive whole number from the environment, or None (unset or empty: off)."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    number = int(value)
    if number < 1:
        raise ValueError(f"{name} must be a positive whole number, or unset to turn it off.")
    return number


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def local_secret_key(data_dir: Path) -> str:
    """Return the secret key kept in the data folder, creating it on first use."""
    path = data_dir / "secret_key"
    if not path.exists():
        # Written aside, then linked into place: processes starting together agree on one key
        # and none reads a half-written file.
        data_dir.mkdir(parents=True, exist_ok=True)
        draft = data_dir / f".secret_key.{os.getpid()}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


SECRET_KEY = os.environ.get("LECTERN_SECRET_KEY") or local_secret_key(DATA_DIR)
DEBUG = env_bool("LECTERN_DEBUG", False)
ALLOWED_HOSTS = env_list("LECTERN_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("LECTERN_CSRF_TRUSTED_ORIGINS", "")
# Retention (off unless set): erase trainees inactive this many years; blank the bodies and
# attachments of emails sent this many days ago.
TRAINEE_RETENTION_YEARS = env_optional_int("LECTERN_TRAINEE_RETENTION_YEARS")
EMAIL_BODY_RETENTION_DAYS = env_optional_int("LECTERN_EMAIL_BODY_RETENTION_DAYS")

BASE_URL = os.environ.get("LECTERN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
PROGRAMME_NAME = os.environ.get("LECTERN_PROGRAMME_NAME", "Lectern Instructor Training")
# What a trainee agrees to when registering: the pages the registration form links to.
CODE_OF_CONDUCT_URL = os.environ.get(
    "LECTERN_CODE_OF_CONDUCT_URL", "https://docs.carpentries.org/policies/coc/"
)
PRIVACY_POLICY_URL = os.environ.get(
    "LECTERN_PRIVACY_POLICY_URL", "https://docs.carpentries.org/policies/privacy.html"
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_countries",
    "ninja",
    "lectern.core",
    "lectern.accounts",
    "lectern.memberships",
    "lectern.events",
    "lectern.notifications",
    "lectern.registrations",
    "lectern.checkout",
    "lectern.checkout_sessions",
    "lectern.trainers",
    "lectern.certificates",
    "lectern.directory",
    "lectern.operations",
    "lectern.web",
]

MIDDLEWARE = [
    "lectern.core.requestlog.RequestLogMiddleware",  # first: the request id, one line each
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "lectern.core.middleware.RefuseBadRequestsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # the language: cookie, then the browser's
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lectern.core.middleware.ContentSecurityPolicyMiddleware",
    "lectern.core.idempotency.IdempotencyMiddleware",
    "lectern.core.middleware.ApiErrorShapeMiddleware",
    "lectern.core.middleware.NoReferrerOnTokenPagesMiddleware",
]

ROOT_URLCONF = "lectern.urls"
WSGI_APPLICATION = "lectern.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # The translation tags in every template, as in the emails' sandbox
            "builtins": ["django.templatetags.i18n"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "lectern.web.context.site",
            ],
        },
    },
]


def database_settings(url: str | None, data_dir: Path) -> dict[str, Any]:
    """Return the default database: PostgreSQL from a URL, else SQLite in the data folder.

    SQLite runs in WAL mode with immediate transactions, so a writer takes the lock when
    its transaction starts and concurrent registrations queue instead of failing late.
    """
    if url and not url.startswith("sqlite:"):
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
        config["CONN_HEALTH_CHECKS"] = True
        if env_bool("LECTERN_PG_PREPARED", True):
            # Bind parameters on the server (Django's default binds them in the client,
            # which never prepares), so that psycopg prepares a statement the sixth time
            # one connection runs it (its default threshold, 5): the server then parses a
            # registration's statements once per connection, not once per request, and
            # soon reuses their plans, which halves its CPU for a registration. psycopg
            # never prepares a script of several statements (migrations send some), and
            # forgets what it prepared at each rollback (a refused registration is one).
            # A pooler in transaction mode needs LECTERN_PG_PREPARED=false (docs/deploy.md);
            # after a migration that changes a column's type, see core.prepared.
            config.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
        return config
    data_dir.mkdir(parents=True, exist_ok=True)
    name = dj_database_url.parse(url)["NAME"] if url else data_dir / "lectern.sqlite3"
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        # Keep each thread's connection: opening one runs the PRAGMAs below every time.
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
            ),
        },
    }


DATABASES = {"default": database_settings(os.environ.get("DATABASE_URL"), DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The languages pages and emails are written in; an event's `language` is one of these.
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [SRC_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

_email = email_settings_from_url(os.environ.get("EMAIL_URL") or f"file://{DATA_DIR / 'mail'}")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH")
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("LECTERN_FROM_EMAIL", "Lectern <training@lectern.invalid>")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

NINJA_PAGINATION_CLASS = "lectern.core.pagination.BoundedPageNumberPagination"
NINJA_PAGINATION_PER_PAGE = 100
NINJA_MAX_PER_PAGE_SIZE = 500


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """Every record goes to stderr as one line, text or JSON (`LECTERN_LOG_FORMAT=json`),
    with the request id and with personal data masked (`lectern.core.logmask`)."""
    formatter = "json" if log_format.strip().lower() == "json" else "plain"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"()": "lectern.core.logmask.PlainFormatter"},
            "json": {"()": "lectern.core.logmask.JsonFormatter"},
        },
        "filters": {"request_id": {"()": "lectern.core.requestlog.RequestIdFilter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": formatter,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        # Django's own console handler (DEBUG only) would print a second, unmasked copy.
        "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
    }


LOGGING = logging_config(
    os.environ.get("LECTERN_LOG_FORMAT", "plain"), os.environ.get("LECTERN_LOG_LEVEL", "INFO")
)

# --- Operating (docs/deploy.md) ---
# A bearer token a Prometheus server sends for GET /api/v1/metrics (besides staff tokens).
METRICS_TOKEN = os.environ.get("LECTERN_METRICS_TOKEN", "")
# Errors to Sentry when set (needs the `sentry` extra); personal data is scrubbed first.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
# Where `lectern bounces` reads returned mail: imaps://user:password@host[:port]/FOLDER,
# or a local Maildir path (maildir:///var/mail/bounces).
BOUNCE_MAILBOX_URL = os.environ.get("LECTERN_BOUNCE_MAILBOX_URL", "")
OPERATIONS: dict[str, int] = {
    # Staff are warned when the oldest due email has waited this long...
    "OUTBOX_BACKLOG_MINUTES": int(os.environ.get("LECTERN_OUTBOX_BACKLOG_MINUTES", "15")),
    # ...and when the scheduler has not run for this long.
    "SCHEDULER_SILENT_MINUTES": int(os.environ.get("LECTERN_SCHEDULER_SILENT_MINUTES", "10")),
}

# --- The programme's rules (docs/rules.md); each may be overridden from the environment. ---
LECTERN: dict[str, Any] = {
    # Seats granted by each membership tier; "custom" takes the seats given.
    "TIER_SEATS": {
        "bronze": 0,
        "silver": 5,
        "gold": 14,
        "platinum": 15,
        "titanium": 0,
        "custom": None,
    },
    "REGISTRATION_CODE_LENGTH": 12,
    "CUSTOM_CODE_MIN_LENGTH": 8,
    "ADVISED_ATTENDANCE_MONTHS": 6,
    # Rollover is possible from this many days before a membership ends (earlier: a reason).
    "ROLLOVER_WINDOW_DAYS": 60,
    "LOGIN_LINK_MINUTES": int(os.environ.get("LECTERN_LOGIN_LINK_MINUTES", "15")),
    # Sign-in requests (/login/, POST /auth/trainee-link): per address and per client, an hour.
    "LOGIN_LINKS_PER_HOUR": int(os.environ.get("LECTERN_LOGIN_LINKS_PER_HOUR", "5")),
    "SIGN_IN_REQUESTS_PER_CLIENT": int(os.environ.get("LECTERN_SIGN_IN_PER_CLIENT", "20")),
    # Certificate verification (/verify/<number>/, GET /verify/{number}): per client, a minute.
    "VERIFY_PER_CLIENT_PER_MINUTE": int(os.environ.get("LECTERN_VERIFY_PER_MINUTE", "30")),
    "TOKEN_LAST_USED_RESOLUTION_SECONDS": 60,
    "IDEMPOTENCY_KEY_HOURS": 24,
    # Registration closes this many days before the first session starts. Every "N days"
    # rule is defined once in events.deadlines; after changing one of them, run
    # `lectern check-deadlines --fix` to rewrite the instants stored on events.
    "REGISTRATION_CUTOFF_DAYS": 7,
    # Email: the sender's batch, lease, retries; the scheduled rules' moments.
    "MAIL_BATCH_SIZE": int(os.environ.get("LECTERN_MAIL_BATCH_SIZE", "200")),
    "MAIL_LEASE_SECONDS": int(os.environ.get("LECTERN_MAIL_LEASE_SECONDS", "300")),
    "MAIL_MAX_ATTEMPTS": int(os.environ.get("LECTERN_MAIL_MAX_ATTEMPTS", "5")),
    "MAIL_RETRY_BASE_SECONDS": 60,
    "CHECKIN_MONTHS": (3, 6, 9),
    "CHECKIN_GRACE_DAYS": 30,
    "TRAINER_NOTICE_DAYS": 30,
    # An event needs at least this many trainers (the staffing page shows those short).
    "EVENT_MIN_TRAINERS": 2,
    # Registration rules.
    "MEMBERSHIP_GRACE_DAYS": 0,
    "WITHDRAWALS_PER_YEAR": 3,
    "WITHDRAWALS_WINDOW_DAYS": 365,  # the "year" that WITHDRAWALS_PER_YEAR counts over
    # A coordinator's team registration awaiting the trainee's details is reminded this many
    # days before the cutoff (events.deadlines.team_details_reminder_at), released at it.
    "TEAM_DETAILS_REMINDER_DAYS": 3,
    "EMERGENCY_DAYS_AFTER_EVENT": 7,
    "LOW_ENROLMENT_DAYS": 14,
    "WAITLIST_OFFER_HOURS": 48,
    # after a change of sessions, its trainees may withdraw or move without forfeiting for
    # this many hours from the change, even past the cutoff
    "CHANGE_FREE_WITHDRAWAL_HOURS": 48,
    "CODE_ATTEMPTS_PER_CLIENT": int(os.environ.get("LECTERN_CODE_ATTEMPTS_PER_CLIENT", "10")),
    "CODE_ATTEMPTS_PER_EVENT": int(os.environ.get("LECTERN_CODE_ATTEMPTS_PER_EVENT", "50")),
    "CODE_ATTEMPT_WINDOW_SECONDS": int(os.environ.get("LECTERN_CODE_ATTEMPT_WINDOW", "600")),
    "NUM_PROXIES": int(os.environ.get("LECTERN_NUM_PROXIES", "0")),
    # After the training: attendance, checkout, certificates.
    "ATTENDANCE_MAX_MISSED_MINUTES": 60,
    # Attendance closes this many days after the event ends (events.deadlines).
    "ATTENDANCE_CLOSING_DAYS": 7,
    # Trainers are reminded to record attendance when the event ends and this many days later.
    "ATTENDANCE_REMINDER_DAYS": 3,
    "MAKEUP_ENABLED": False,
    "MAKEUP_MAX_MISSED_MINUTES": 240,
    "CHECKOUT_REQUIREMENTS": ("welcome_session", "get_involved", "teaching_demo"),
    "CHECKOUT_DAYS": 90,
    "EXTENSION_MONTHS": 3,
    "CHECKOUT_CEILING_DAYS": 365,
    "CHECKOUT_REMINDER_DAYS": (30, 7),
    # Welcome sessions and teaching demos: the reminder goes this many hours before one starts.
    "CHECKOUT_SESSION_REMINDER_HOURS": 24,
    # A session's capacity: 1 to this many (a bound on input).
    "CHECKOUT_SESSION_MAX_CAPACITY": 100,
    "GITHUB_ALLOWED_ORGS": (
        "carpentries",
        "swcarpentry",
        "datacarpentry",
        "librarycarpentry",
        "carpentries-incubator",
        "carpentries-lab",
        "carpentrieslab",
    ),
    "CERTIFICATE_LAYOUT": os.environ.get("LECTERN_CERTIFICATE_LAYOUT", ""),
    # The person who signs certificates: their name over their title, under the signature line.
    "CERTIFICATE_SIGNATORY": os.environ.get("LECTERN_CERTIFICATE_SIGNATORY", ""),
    "CERTIFICATE_SIGNATORY_TITLE": os.environ.get(
        "LECTERN_CERTIFICATE_SIGNATORY_TITLE", "Director of Instructor Training"
    ),
}
