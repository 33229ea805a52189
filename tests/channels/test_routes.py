"""The fixed public paths, through the site's real URL configuration."""

from __future__ import annotations

from django.urls import resolve, reverse

from aduan.channels import views


def test_channel_endpoints_are_mounted_at_the_site_root() -> None:
    assert reverse("channels:sms_inbound") == "/sms/inbound"
    assert resolve("/sms/inbound").func is views.sms_inbound
    assert reverse("channels:whatsapp_webhook") == "/whatsapp/webhook"
