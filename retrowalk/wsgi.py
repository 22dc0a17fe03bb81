"""WSGI entry point: ``gunicorn retrowalk.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retrowalk.settings")

application = get_wsgi_application()
