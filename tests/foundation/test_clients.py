from __future__ import annotations

import pytest
from django.test import RequestFactory

from aduan.core.clients import client_ip


def test_client_address_from_remote_addr_or_the_proxy_header(monkeypatch: pytest.MonkeyPatch) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.5")
    assert client_ip(request) == "10.0.0.5"  # the header is ignored unless the operator trusts it
    monkeypatch.setenv("ADUAN_CLIENT_IP_HEADER", "X-Forwarded-For")
    assert client_ip(request) == "203.0.113.7"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.9")) == "10.0.0.9"
