from django.urls import URLPattern, URLResolver, path

from aduan.channels import views

app_name = "channels"

urlpatterns: list[URLPattern | URLResolver] = [
    path("sms/inbound", views.sms_inbound, name="sms_inbound"),
    path("whatsapp/webhook", views.whatsapp_webhook, name="whatsapp_webhook"),
]
