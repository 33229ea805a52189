from django.urls import URLPattern, URLResolver, path, re_path

from aduan.api import views
from aduan.api.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("v1/", api.urls),
    path("docs", views.docs, name="api-docs"),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
