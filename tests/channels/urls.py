"""Only the channel endpoints, mounted at the root as in aduan/urls.py, so these tests do not
depend on the other interface apps' URL modules."""

from django.urls import include, path

urlpatterns = [path("", include("aduan.channels.urls"))]
