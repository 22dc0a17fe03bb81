"""retrowalk settings.

One file declares every setting; environments differ only by environment
variables (see README "Configuration"). ``RETROWALK_ENV=production`` turns on
the deployment hardening and makes the secrets mandatory.
"""

from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF
from django.contrib.messages import constants as message_constants
from django.core.exceptions import ImproperlyConfigured
from django.utils.text import capfirst
from django.utils.translation import get_language_info, gettext_lazy

from retrowalk import release
from retrowalk.env import (
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

RETROWALK_ENV = env_choice("RETROWALK_ENV", "development", {"development", "production"})
PRODUCTION = RETROWALK_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be false when RETROWALK_ENV=production.")

# Development only; production refuses to start without its own DJANGO_SECRET_KEY.
_DEV_SECRET_KEY = "django-insecure-retrowalk-development-only-never-use-in-production"  # noqa: S105
if PRODUCTION:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY")
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be a random value of at least 50 characters in production "
            "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required in production (comma-separated host names).")
else:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET_KEY)
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "modeltranslation",  # before the admin, whose forms it extends
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "retrowalk",
    "patients",
    "programs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Django's LocaleMiddleware, which asks the signed-in user's language first (so it comes after the user).
    "retrowalk.middleware.LanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "retrowalk.middleware.SessionLimitsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "retrowalk.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "retrowalk.middleware.NoStoreMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "retrowalk.urls"
WSGI_APPLICATION = "retrowalk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "retrowalk.context_processors.navigation",
            ],
        },
    },
]

# Sections other apps add to the patient chart: dotted paths to callables
# (request, patient) -> [{"template": ..., "context": {...}}]. patients never imports programs.
PATIENT_CHART_SECTIONS = ["programs.pages.patient_sections"]
# Pages of the other apps that Settings links to: (URL name, label).
SETTINGS_PAGES = [("programs:reminders", gettext_lazy("Reminders and the daily digest"))]
# How long a portal set-password link works (days).
PORTAL_INVITATION_DAYS = env_int("RETROWALK_PORTAL_INVITATION_DAYS", 7, minimum=1)
# The address of the site as its users reach it, for the links in emails sent without a request
# (manage.py send_reminders).
# In production it defaults to HTTPS on the first allowed host name.
SITE_URL = env_str("RETROWALK_SITE_URL", f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION else "http://127.0.0.1:8000")
# The FHIR export's own identifier and code systems (record numbers, instruments without a LOINC code).
# A clinic may set its own URL; the default is a URN that names this product.
FHIR_SYSTEM = env_str("RETROWALK_FHIR_SYSTEM", "urn:retrowalk")

# Django's cache framework. "locmem": each server process keeps its own; "database": one cache in
# PostgreSQL (or SQLite) that every server shares (its table is made by `manage.py createcachetable`);
# "dummy": nothing is kept. Off under DEBUG by default, where templates and stylesheets change
# without a restart. The cache only ever holds what the database can give again.
CACHE_KIND = env_choice("RETROWALK_CACHE", "dummy" if DEBUG else "locmem", {"locmem", "database", "dummy"})
_CACHE_BACKENDS = {
    "locmem": ("django.core.cache.backends.locmem.LocMemCache", "retrowalk-{}"),
    "database": ("django.core.cache.backends.db.DatabaseCache", "retrowalk_cache_{}"),
    "dummy": ("django.core.cache.backends.dummy.DummyCache", ""),
}


# Each release keys the caches with its own fingerprint (retrowalk/release.py), so two releases sharing
# a cache during a rolling upgrade never serve each other's drawings. RETROWALK_RELEASE names it instead.
RELEASE = env_str("RETROWALK_RELEASE", "") or release.fingerprint(BASE_DIR)


def _cache(name: str, entries: int) -> dict:
    backend, location = _CACHE_BACKENDS[CACHE_KIND]
    return {
        "BACKEND": backend,
        "LOCATION": location.format(name),
        "KEY_PREFIX": RELEASE,
        "OPTIONS": {"MAX_ENTRIES": entries},
    }


CACHES = {
    "default": _cache("default", 5000),
    # Plan PDFs already made from the same page and paper (about 60 kB each).
    "documents": _cache("documents", 500),
    # Rendered parts of pages ({% cache ... using="fragments" %}: a program's record on the chart and the
    # program page, the plan page's weeks, progress and logs, a prescribing preview; 10 to 40 kB each).
    # Their keys hold everything the part is drawn from (the program's version and logs, unit, language,
    # day), so an entry is never stale; with RETROWALK_CACHE=database every server reads the same ones.
    # About two a patient with a program (chart and plan): room for a clinic's in the database; a process's
    # memory holds the most recent.
    "fragments": _cache("fragments", 20000 if CACHE_KIND == "database" else 2000),
}

DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        base_dir=BASE_DIR,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out user or address is refused before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the signed-in user's roles and speed unit in the same query.
    "retrowalk.backends.AccountBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
# Logout shows templates/registration/logged_out.html, confirming the session is gone.

# Sessions live in the database so several stateless app servers can share them.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Absolute limit: 12 hours after signing in. Idle limit: 15 minutes without a request.
# Both enforced on the server by retrowalk.middleware.SessionLimitsMiddleware.
SESSION_COOKIE_AGE = 12 * 60 * 60
RETROWALK_SESSION_IDLE_SECONDS = 15 * 60

# Login lockout (django-axes): 5 failures for one username from one address lock that
# pair for 15 minutes; the right password is refused meanwhile. A clinic behind one
# address is not locked out by one person's typing.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Log lines name the address, never the username (patients' usernames come from their names).
AXES_CLIENT_STR_CALLABLE = "retrowalk.security.axes_client_str"
# One notion of "the client's address" for the lockout and the access log.
AXES_CLIENT_IP_CALLABLE = "retrowalk.security.client_ip"
AXES_USERNAME_CALLABLE = "retrowalk.security.axes_username"

# Second factor (django-otp, TOTP). Anyone may enrol; in production clinicians and
# administrators must. RETROWALK_REQUIRE_SECOND_FACTOR=true tries that outside production.
OTP_TOTP_ISSUER = "retrowalk"
# An administrator can remove a lost authenticator but never see anyone's secret or QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
RETROWALK_SECOND_FACTOR_ROLES = (
    ("clinician", "administrator") if PRODUCTION or env_bool("RETROWALK_REQUIRE_SECOND_FACTOR", False) else ()
)

# English is the source language: the words in the code. Every other language is a gettext catalogue,
# locale/<code>/LC_MESSAGES/django.po and its compiled .mo (`make messages`); a language is offered as
# soon as its compiled catalogue is there, so adding one is adding its catalogue, not code.
LANGUAGE_CODE = "en"
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGES = [
    (code, capfirst(get_language_info(code)["name_local"]))
    for code in ["en", *sorted(path.parent.parent.name for path in LOCALE_PATHS[0].glob("*/LC_MESSAGES/django.mo"))]
]
# The clinical text the administrator writes (condition names and descriptions, template names, summaries,
# warm-ups and week notes) is kept in each of these languages, one column each (django-modeltranslation;
# the fields are listed in patients/translation.py and programs/translation.py). Text not yet translated,
# and every language not listed here, falls back to English. A language added here needs its columns:
# `manage.py makemigrations`. Citations of sources stay as written.
MODELTRANSLATION_LANGUAGES = ("en", "es")
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)


# The admin labels each language's field with the language's name in the reader's language: "name (Spanish)".
def MODELTRANSLATION_BUILD_LOCALIZED_VERBOSE_NAME(verbose_name, code):
    return f"{verbose_name} ({get_language_info(code)['name_translated']})"


# Named date formats (DATE_FORMAT, MONTH_DAY_FORMAT, ...) per language: retrowalk/formats/<language>/formats.py.
FORMAT_MODULE_PATH = ["retrowalk.formats"]
TIME_ZONE = env_str("RETROWALK_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Outside production WhiteNoise serves straight from the source folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MESSAGE_TAGS = {message_constants.ERROR: "danger"}

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "retrowalk <no-reply@localhost>")
# The folder of django.core.mail.backends.filebased.EmailBackend (one file per connection).
EMAIL_FILE_PATH = env_str("DJANGO_EMAIL_FILE_PATH", "")

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script reads it: every form carries its token
# The language chosen on the sign-in pages or in Settings (Django's set_language): no script reads it either.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp): only the app's own files, no inline script or
# style, never framed. Bootstrap draws its form controls' icons from data: SVGs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Behind a TLS-terminating proxy the client's address is the last X-Forwarded-For hop.
BEHIND_TLS_PROXY = env_bool("DJANGO_BEHIND_TLS_PROXY", False)

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    if BEHIND_TLS_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Application logs carry request metadata only; views never log patient data, and logged
# exceptions lose their messages (retrowalk.logs). A server error's line has its reference.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact": {"()": "retrowalk.logs.RedactExceptions"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO").upper()},
    # WeasyPrint narrates every step of every PDF at INFO; its warnings (a refused URL, bad CSS) still show.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes narrates every successful login at INFO; its failures and lockouts are WARNING.
        "axes": {"level": "WARNING"},
    },
}
