"""`aduan peer add` takes any public key, one beginning with "-" too (base64url), as documented."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError

from aduan.core import signing

pytestmark = pytest.mark.django_db


def _key_beginning_with_dash() -> str:
    while True:  # one key in 64 begins with "-"
        text = signing.public_key_text(Ed25519PrivateKey.generate().public_key())
        if text.startswith("-"):
            return text


def test_a_key_beginning_with_a_dash_reaches_the_peer_check() -> None:
    key = _key_beginning_with_dash()
    # Nothing listens on port 9 (discard): the command gets as far as fetching the identity, so
    # the key was taken as the option's value, not refused by the argument parser.
    with pytest.raises(CommandError) as refused:
        call_command("peer", "add", "http://127.0.0.1:9", f"--public-key={key}")
    assert "expected one argument" not in str(refused.value)
    assert "peer_unreachable" in str(refused.value) or "tidak dapat dihubungi" in str(refused.value)
