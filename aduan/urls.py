from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

urlpatterns = [
    path("", include("aduan.portal.urls")),
    path("konsol/", include("aduan.console.urls")),
    path("api/", include("aduan.api.urls")),
    path("", include("aduan.channels.urls")),
    path("statistik/", include("aduan.evaluation.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]
if settings.DEBUG:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
