from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, reverse_lazy
from django.views.generic import RedirectView

# Uploaded files are never served from MEDIA_ROOT: attachments go through views that check access.
urlpatterns: list[URLPattern | URLResolver] = [
    # Probes and metrics first: answered before any interface's catch-all pattern.
    path("", include("aduan.ops.urls")),
    path("", include("aduan.portal.urls")),
    path("konsol/", include("aduan.console.urls")),
    path("api/federation/", include("aduan.federation.urls")),
    path("api/", include("aduan.api.urls")),
    path("", include("aduan.channels.urls")),
    path("statistik/", include("aduan.evaluation.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # One sign-in for staff: the console's (throttled, second factor); the admin's own form is gone.
    path(
        "django-admin/login/",
        RedirectView.as_view(url=reverse_lazy("console:login"), query_string=True),
        name="admin-login-redirect",
    ),
    path("django-admin/", admin.site.urls),
]
