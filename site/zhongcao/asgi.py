"""ASGI entry point; like wsgi.py it expects site/ on sys.path."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhongcao.settings.production")

application = get_asgi_application()
