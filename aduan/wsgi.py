import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aduan.settings")
django_application = get_wsgi_application()

# POST /api/v1/reports (JSON, no token) takes a lane around Django's dispatch: aduan/api/lane.py.
from aduan.api.lane import Lane  # noqa: E402 - needs the settings configured above

application = Lane(django_application)
