from django.urls import path

from aduan.federation import views

app_name = "federation"
urlpatterns = [
    path("v1/identity", views.identity, name="identity"),
    path("v1/directory", views.directory, name="directory"),
    path("v1/messages", views.messages, name="messages"),
]
