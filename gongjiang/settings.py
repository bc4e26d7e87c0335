"""Gongjiang settings: one file, read from the environment.

Embedded default (nothing set): SQLite under var/ and django-q2's ORM broker.
Production: DATABASE_URL=postgres://… and REDIS_URL=redis://…, DEBUG off, SECRET_KEY set.
"""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from gongjiang.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("GONGJIANG_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# Required when DEBUG is off, but only where it is used: the web app refuses to start without it
# (gongjiang/wsgi.py) and Django raises ImproperlyConfigured wherever a key is needed (sessions, signing,
# the worker's task signing). Commands that need no key, such as makemigrations --check in a build step,
# still run on a fresh clone.
SECRET_KEY = env_str("SECRET_KEY") or ("insecure-development-key-only-used-with-debug-on" if DEBUG else "")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_q",
    "backend",
    "honourees",
    "studios",
    "funding",
    "reports",
    "gongjiang",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "backend.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "gongjiang.urls"
WSGI_APPLICATION = "gongjiang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "backend.roles.roles_context",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "gongjiang.sqlite3",
            "OPTIONS": {
                # SQLite ignores select_for_update: IMMEDIATE takes the write lock when a transaction
                # starts, so two writers serialise instead of both reading the old state.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            "TEST": {"NAME": VAR_DIR / "test-gongjiang.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Task cluster (django-q2) ---------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
Q_CLUSTER = {
    "name": "gongjiang",
    "workers": env_int("Q_WORKERS", 2),
    "timeout": env_int("Q_TIMEOUT", 600),
    "retry": env_int("Q_TIMEOUT", 600) + 60,
    "max_attempts": 1,
    "catch_up": False,
    "label": _("Background tasks"),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 1

# --- Auth -----------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Language and time ----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "backend" / "static"]
# Development serves static files straight from the apps (no collectstatic); production from STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Uploaded evidence and generated reports are private: never served from a public URL, only through
# views that check who may see them.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "files")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- API ------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "backend.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Gongjiang API",
    "DESCRIPTION": "Post-award management for city craftsman honour schemes (工匠).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc are served from this server (drf-spectacular-sidecar), never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set, so the schema's enums read as the domain does (and no W001 warnings).
    "ENUM_NAME_OVERRIDES": {
        "SkillLevelEnum": "backend.skills.SkillLevel",
        "RoundStatusEnum": "honourees.models.Round.Status",
        "NominationStatusEnum": "honourees.models.Nomination.Status",
        "ObjectionOutcomeEnum": "honourees.models.Objection.Outcome",
        "HonoureeStatusEnum": "honourees.models.Honouree.Status",
        "EntitlementStatusEnum": "honourees.models.BenefitEntitlement.Status",
        "ReferralOutcomeEnum": "honourees.models.BenefitEntitlement.Referral",
        "RecoveryStatusEnum": "honourees.models.BenefitDelivery.Recovery",
        "StudioStatusEnum": "studios.models.Studio.Status",
        "SessionStatusEnum": "studios.models.MentoringSession.Status",
        "AssessmentStatusEnum": "studios.models.Assessment.Status",
        "InstalmentStatusEnum": "funding.models.Instalment.Status",
        "InstalmentRecoveryEnum": "funding.models.Instalment.Recovery",
        "BatchStatusEnum": "funding.models.DisbursementBatch.Status",
        "BatchLineStatusEnum": "funding.models.BatchLine.Status",
        "BankReturnRowStatusEnum": "funding.models.BankReturnRow.Status",
        "LedgerEntryKindEnum": "funding.models.LedgerEntry.Kind",
    },
}

# --- Domain settings ------------------------------------------------------------------------------------
# A studio host may edit a logged mentoring session for this many days; then it is locked for the assessment.
STUDIO_SESSION_EDIT_DAYS = env_int("STUDIO_SESSION_EDIT_DAYS", 7)

# --- Mail -----------------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "gongjiang@localhost")
# The address the site is reached at, so links in emailed reminders are whole URLs (e.g. https://gongjiang.example.org).
SITE_URL = env_str("SITE_URL")

# --- Security (production) ------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading HSTS binds the whole parent domain (often a city's gov.cn domain, which other offices share)
# to HTTPS in every browser for good: that is the domain owner's call, not this app's. So it stays off
# unless asked for, and Django's reminder about it is silenced rather than failing `check --deploy`.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
