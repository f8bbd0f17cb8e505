"""WSGI entry point: `gunicorn --pythonpath site zhongcao.wsgi`.

The site/ folder must be on sys.path (it cannot be a package named "site").
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhongcao.settings.production")

application = get_wsgi_application()
