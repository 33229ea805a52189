from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_indonesian_by_default_even_for_an_english_browser() -> None:
    page = Client().get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.status_code == 200 and page.headers["Content-Language"] == "id"
    assert '<html lang="id"' in page.content.decode()


@pytest.mark.django_db
def test_english_when_chosen() -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/")
    assert page.headers["Content-Language"] == "en" and '<html lang="en"' in page.content.decode()
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert client.get("/").headers["Content-Language"] == "en"  # an unknown choice changes nothing
