"""The one signature scheme for federation messages and webhooks (aduan/core/signing.py)."""

from __future__ import annotations

import os
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from aduan.core import signing


@pytest.fixture(autouse=True)
def _own_key(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.ADUAN_INSTANCE_KEY_FILE = str(tmp_path / "keys" / "instance.pem")


def test_key_is_created_once_private_and_stable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = signing.public_key_text()
    file = tmp_path / "keys" / "instance.pem"
    assert file.stat().st_mode & 0o777 == 0o600
    signing._private_key.cache_clear()
    assert signing.public_key_text() == first
    assert len(signing.key_id(first)) == 16


def test_signed_message_verifies_and_names_its_id() -> None:
    body = b'{"type": "report.forward"}'
    headers = signing.message_sign(body=body, message_id="m-1")
    public = signing.public_key_parse(signing.public_key_text())
    assert signing.message_verify(headers=headers, body=body, public_key=public) == "m-1"
    assert headers[signing.HEADER_KEY_ID] == signing.key_id(signing.public_key_text())


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda h, b: (h, b + b" "), "signature_invalid"),
        (lambda h, b: ({**h, signing.HEADER_MESSAGE_ID: "m-2"}, b), "signature_invalid"),
        (
            lambda h, b: ({**h, signing.HEADER_TIMESTAMP: str(int(h[signing.HEADER_TIMESTAMP]) + 1)}, b),
            "signature_invalid",
        ),
        (
            lambda h, b: ({k: v for k, v in h.items() if k != signing.HEADER_SIGNATURE}, b),
            "signature_missing",
        ),
        (lambda h, b: ({**h, signing.HEADER_SIGNATURE: "%%%"}, b), "signature_invalid"),
        (lambda h, b: ({**h, signing.HEADER_MESSAGE_ID: "x" * 65}, b), "message_id_invalid"),
        (lambda h, b: ({**h, signing.HEADER_MESSAGE_ID: "a\nb"}, b), "message_id_invalid"),
        (lambda h, b: ({**h, signing.HEADER_TIMESTAMP: "-5"}, b), "timestamp_invalid"),
    ],
)
def test_tampered_messages_are_refused_with_a_code(change, code) -> None:  # type: ignore[no-untyped-def]
    body = b'{"n": 1}'
    headers, body = change(signing.message_sign(body=body, message_id="m-1"), body)
    public = signing.public_key_parse(signing.public_key_text())
    with pytest.raises(signing.SignatureError) as refused:
        signing.message_verify(headers=headers, body=body, public_key=public)
    assert refused.value.code == code


def test_another_installations_key_does_not_verify() -> None:
    body = b"{}"
    headers = signing.message_sign(body=body, message_id="m-1")
    stranger = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(signing.SignatureError, match="signature_invalid"):
        signing.message_verify(headers=headers, body=body, public_key=stranger)


def test_old_and_future_messages_are_refused() -> None:
    body = b"{}"
    public = signing.public_key_parse(signing.public_key_text())
    for skew in (-signing.MAX_SKEW_SECONDS - 5, signing.MAX_SKEW_SECONDS + 5):
        headers = signing.message_sign(body=body, message_id="m-1", timestamp=int(time.time()) + skew)
        with pytest.raises(signing.SignatureError, match="timestamp_out_of_window"):
            signing.message_verify(headers=headers, body=body, public_key=public)


@pytest.mark.parametrize("text", ["", "abc", "A" * 43 + "é", signing._b64(b"\0" * 31)])
def test_a_public_key_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        signing.public_key_parse(text)


def test_processes_starting_together_all_use_one_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    # Each process creates the key if it is missing and prints its public key: all must agree,
    # and none may read a half-written file.
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'aduan.settings'; django.setup();"
        "from aduan.core import signing; print(signing.public_key_text())"
    )
    env = {**os.environ, "ADUAN_INSTANCE_KEY_FILE": str(tmp_path / "shared" / "key.pem")}
    env.pop("DATABASE_URL", None)
    env["ADUAN_DATA_DIR"] = str(tmp_path / "data")
    started = [
        subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    keys = {p.communicate(timeout=120)[0].strip() for p in started}
    assert all(p.returncode == 0 for p in started)
    assert len(keys) == 1 and "" not in keys
    assert [p.name for p in (tmp_path / "shared").iterdir()] == ["key.pem"]  # no temporary left
