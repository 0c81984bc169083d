"""WSGI entry point (gunicorn config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Import every view (and the forecasting stack behind them) now, while the
# worker boots, instead of in its first request: that request would otherwise
# wait seconds for the imports, and with several workers a deploy's first
# seconds of traffic all would.
get_resolver().check()  # loads the URLconf and every view module
