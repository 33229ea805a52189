"""Polling a mailbox over IMAP: each unseen message goes through `email_receive`, then is flagged.

A message is flagged \\Seen only after Aduan committed it; if the poller dies in between, the next
poll fetches it again and `email_receive` recognises the Message-ID (no second report, no second
answer). BODY.PEEK keeps the server from marking a message read before we are done with it.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
from dataclasses import dataclass

from aduan.channels import conf
from aduan.channels.emailintake import email_receive

logger = logging.getLogger(__name__)


class ImapError(Exception):
    pass


@dataclass
class ImapStats:
    fetched: int = 0
    reports: int = 0
    duplicates: int = 0
    failed: int = 0


def open_mailbox() -> imaplib.IMAP4:
    host = conf.imap_host()
    if not host:
        raise ImapError("ADUAN_IMAP_HOST is not set")
    try:
        if conf.imap_ssl():
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                host, conf.imap_port(), ssl_context=ssl.create_default_context(), timeout=30
            )
        else:
            client = imaplib.IMAP4(host, conf.imap_port(), timeout=30)
        client.login(conf.imap_user(), conf.imap_password())
        status, _ = client.select(_quote(conf.imap_folder()))
    except (OSError, imaplib.IMAP4.error) as exc:
        raise ImapError(f"IMAP {host}:{conf.imap_port()}: {exc}") from exc
    if status != "OK":
        raise ImapError(f"IMAP folder {conf.imap_folder()!r} cannot be selected")
    return client


def _quote(folder: str) -> str:
    return folder if re.fullmatch(r"[A-Za-z0-9_.\-/]+", folder) else '"' + folder.replace('"', '\\"') + '"'


def poll_once(client: imaplib.IMAP4 | None = None, *, limit: int = 50) -> ImapStats:
    """Fetch the unseen messages of the folder, make reports, flag them \\Seen."""
    own = client is None
    client = client or open_mailbox()
    stats = ImapStats()
    try:
        status, data = client.uid("SEARCH", "UNSEEN")
        if status != "OK":
            raise ImapError(f"IMAP SEARCH failed: {data!r}")
        uids = (data[0] or b"").split()[:limit]
        for uid in uids:
            status, parts = client.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
            raw = next((part[1] for part in parts if isinstance(part, tuple) and len(part) > 1), None)
            if status != "OK" or not isinstance(raw, bytes):
                logger.warning("IMAP message uid %s could not be fetched", uid)
                stats.failed += 1
                continue
            stats.fetched += 1
            try:
                received = email_receive(raw, gateway="imap")
            except Exception:
                # Left unseen: the next poll tries again; a broken message must not stop the others.
                logger.exception("IMAP message uid %s could not be taken in", uid)
                stats.failed += 1
                continue
            if received.duplicate:
                stats.duplicates += 1
            elif received.report is not None:
                stats.reports += 1
            client.uid("STORE", uid.decode(), "+FLAGS", "(\\Seen)")
    finally:
        if own:
            try:
                client.logout()
            except (OSError, imaplib.IMAP4.error):
                pass
    return stats
