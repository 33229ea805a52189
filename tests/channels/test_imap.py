"""The IMAP poller against a tiny IMAP4rev1 server started in the test (plain TCP on localhost),
speaking the commands the poller uses: CAPABILITY, LOGIN, SELECT, UID SEARCH/FETCH/STORE, LOGOUT."""

from __future__ import annotations

import re
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from aduan.channels import imap
from aduan.channels.emailintake import email_receive
from aduan.intake.models import Report
from tests.channels.test_email import make_email

pytestmark = pytest.mark.django_db


@dataclass
class Mailbox:
    messages: list[dict[str, Any]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)

    def add(self, raw: bytes, *, seen: bool = False) -> int:
        uid = len(self.messages) + 1
        self.messages.append({"uid": uid, "raw": raw, "flags": {"\\Seen"} if seen else set()})
        return uid

    def seen(self) -> dict[int, bool]:
        return {m["uid"]: "\\Seen" in m["flags"] for m in self.messages}


class ImapHandler(socketserver.StreamRequestHandler):
    mailbox: Mailbox

    def send(self, data: bytes | str) -> None:
        self.wfile.write(data.encode() if isinstance(data, str) else data)

    def handle(self) -> None:
        box = self.server.mailbox  # type: ignore[attr-defined]
        self.send("* OK [CAPABILITY IMAP4rev1] tiny test server ready\r\n")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            command, _, args = rest.partition(" ")
            command = command.upper()
            if command == "CAPABILITY":
                self.send(f"* CAPABILITY IMAP4rev1\r\n{tag} OK CAPABILITY completed\r\n")
            elif command == "LOGIN":
                user, password = [a.strip('"') for a in args.split(" ", 1)]
                if password != "sandi-rahasia":
                    self.send(f"{tag} NO [AUTHENTICATIONFAILED] invalid credentials\r\n")
                    continue
                box.logins.append((user, password))
                self.send(f"{tag} OK LOGIN completed\r\n")
            elif command == "SELECT":
                box.selected.append(args.strip('"'))
                self.send(
                    f"* {len(box.messages)} EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen)\r\n* OK [UIDVALIDITY 7] ok\r\n"
                    f"{tag} OK [READ-WRITE] SELECT completed\r\n"
                )
            elif command == "UID":
                self.uid(tag, args, box)
            elif command == "LOGOUT":
                self.send(f"* BYE logging out\r\n{tag} OK LOGOUT completed\r\n")
                return
            else:
                self.send(f"{tag} BAD unknown command\r\n")

    def uid(self, tag: str, args: str, box: Mailbox) -> None:
        sub, _, rest = args.partition(" ")
        sub = sub.upper()
        by_uid = {m["uid"]: (seq, m) for seq, m in enumerate(box.messages, start=1)}
        if sub == "SEARCH" and rest.upper() == "UNSEEN":
            uids = " ".join(str(m["uid"]) for m in box.messages if "\\Seen" not in m["flags"])
            self.send(
                f"* SEARCH {uids}\r\n{tag} OK SEARCH completed\r\n".replace("SEARCH \r\n", "SEARCH\r\n")
            )
        elif sub == "FETCH":
            uid = int(rest.split(" ", 1)[0])
            assert "BODY.PEEK[]" in rest  # the poller must not mark a message read by fetching it
            seq, message = by_uid[uid]
            raw = message["raw"]
            self.send(f"* {seq} FETCH (UID {uid} BODY[] {{{len(raw)}}}\r\n".encode() + raw + b")\r\n")
            self.send(f"{tag} OK FETCH completed\r\n")
        elif sub == "STORE":
            match = re.match(r"(\d+) \+FLAGS \((.*)\)", rest)
            assert match
            seq, message = by_uid[int(match[1])]
            message["flags"].update(match[2].split())
            self.send(f"* {seq} FETCH (UID {match[1]} FLAGS ({' '.join(sorted(message['flags']))}))\r\n")
            self.send(f"{tag} OK STORE completed\r\n")
        else:
            self.send(f"{tag} BAD unsupported UID command\r\n")


@pytest.fixture
def imap_server(settings: Any, tmp_path: Path) -> Iterator[Mailbox]:
    mailbox = Mailbox()
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), ImapHandler)
    server.daemon_threads = True
    server.mailbox = mailbox  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ADUAN_IMAP_HOST = "127.0.0.1"
    settings.ADUAN_IMAP_PORT = server.server_address[1]
    settings.ADUAN_IMAP_SSL = False
    settings.ADUAN_IMAP_USER = "aduan@ponorogo.go.id"
    settings.ADUAN_IMAP_PASSWORD = "sandi-rahasia"
    settings.ADUAN_IMAP_FOLDER = "INBOX"
    settings.MEDIA_ROOT = tmp_path / "media"
    yield mailbox
    server.shutdown()
    server.server_close()


def test_unseen_messages_become_reports_and_are_flagged_seen(
    imap_server: Mailbox, mailoutbox: list[Any]
) -> None:
    old = imap_server.add(make_email(message_id="<lama@x>", subject="Sudah dibaca"), seen=True)
    first = imap_server.add(make_email(message_id="<1@x>", subject="Jalan rusak di Sawoo"))
    second = imap_server.add(
        make_email(message_id="<2@x>", subject="Lampu PJU mati", sender="ani@example.org")
    )
    stats = imap.poll_once()
    assert (stats.fetched, stats.reports, stats.failed) == (2, 2, 0)
    assert sorted(Report.objects.filter(channel="email").values_list("title", flat=True)) == [
        "Jalan rusak di Sawoo",
        "Lampu PJU mati",
    ]
    assert imap_server.seen() == {old: True, first: True, second: True}
    assert imap_server.logins == [("aduan@ponorogo.go.id", "sandi-rahasia")]
    assert imap_server.selected == ["INBOX"]
    assert imap.poll_once().fetched == 0


def test_a_message_taken_in_but_not_flagged_is_not_reported_twice(imap_server: Mailbox) -> None:
    raw = make_email(message_id="<crash@x>")
    uid = imap_server.add(raw)
    email_receive(raw, gateway="imap")  # Aduan committed, then the poller died before STORE
    stats = imap.poll_once()
    assert stats.duplicates == 1 and stats.reports == 0
    assert Report.objects.count() == 1
    assert imap_server.seen() == {uid: True}


def test_email_poll_command(imap_server: Mailbox) -> None:
    imap_server.add(make_email(message_id="<cmd@x>"))
    call_command("email-poll", "--once")
    assert Report.objects.filter(channel="email").count() == 1


def test_wrong_password_is_a_clear_error(imap_server: Mailbox, settings: Any) -> None:
    settings.ADUAN_IMAP_PASSWORD = "salah"
    with pytest.raises(imap.ImapError):
        imap.poll_once()
