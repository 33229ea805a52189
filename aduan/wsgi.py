import ctypes
import gc
import os
from typing import Any

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aduan.settings")
django_application = get_wsgi_application()

# POST /api/v1/reports (JSON, no token) takes a lane around Django's dispatch: aduan/api/lane.py.
from aduan.api.lane import Lane  # noqa: E402 - needs the settings configured above


class BodyDrained:
    """Reads what the application left unread of a request body before its answer goes out.

    Django refuses some requests without reading their bodies (a form without CSRF token, a
    413 from Content-Length alone). The worker then closed its socket on unread data while nginx
    was still writing the body into it, and nginx answered 502 instead of the real answer (1 MB
    and 5 MB bodies to /lapor/: 502 in 12 of 20 tries). nginx has buffered the whole body before
    the request reached this worker, so reading the rest costs milliseconds. (uWSGI's
    post-buffering did the same, but with it a benchmark run met spurious harakiris.)"""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        response = self.app(environ, start_response)
        if environ.get("CONTENT_LENGTH") not in (None, "", "0"):
            body = environ["wsgi.input"]
            while body.read(65536):
                pass
        return response


application = BodyDrained(Lane(django_application))

# The server process's garbage collector: what was loaded so far (Django, the apps, the URL
# configuration) is never garbage, so full collections leave it alone (gc.freeze), and the
# youngest generation is collected every 50,000 allocations instead of every 700. A request
# allocates thousands of objects and leaves little cyclic garbage; with Python's defaults the
# collector ran ~300 times per 3,000 submissions and took 10-15 % of their CPU (in-process, groups of
# 4: parse 102 -> 92 us, prepare 201 -> 182, write 376 -> 341). ADUAN_GC_THRESHOLD (settings.py)
# sets it; "700,10,10" gives Python's defaults back.
gc.freeze()
gc.set_threshold(*settings.ADUAN_GC_THRESHOLD)


def _release_large_blocks() -> None:
    """glibc's allocator: blocks of 256 KB and more (a decoded photo, aduan/intake/uploads.py) get
    their own mapping, returned to the system when freed, and threads share at most two heaps.
    With glibc's defaults the threshold grows with what was freed, the rest stays in per-thread
    heaps, and a worker's memory stayed up after photos (bench/image_memory.py: four 12 MP photos
    left a worker at 200 MB resident, peak 314 MB; with this 99 MB, peak 193 MB)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return  # not glibc (musl, macOS): its own policy
    m_mmap_threshold, m_arena_max = -3, -8  # <malloc.h>
    mallopt(m_mmap_threshold, 256 * 1024)
    mallopt(m_arena_max, 2)


_release_large_blocks()
