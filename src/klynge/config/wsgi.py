"""
WSGI entry point: the production settings unless DJANGO_SETTINGS_MODULE names others.

Never the development settings by default: a server started without the
variable runs as production, and refuses to start without SECRET_KEY and
ALLOWED_HOSTS.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klynge.config.settings.production")
application = get_wsgi_application()
