from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

# Uploaded files are never served from MEDIA_ROOT: attachments go through views that check access.
urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("aduan.portal.urls")),
    path("konsol/", include("aduan.console.urls")),
    path("api/", include("aduan.api.urls")),
    path("", include("aduan.channels.urls")),
    path("statistik/", include("aduan.evaluation.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]
