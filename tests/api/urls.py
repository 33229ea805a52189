"""Only the API's routes, so these tests don't depend on other apps' pages being importable."""

from django.urls import include, path

urlpatterns = [path("api/", include("aduan.api.urls"))]
