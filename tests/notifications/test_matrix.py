"""The notification matrix walked row by row: each event, driven through the real lifecycle, tells
exactly the audience the table names, with the table's template, on each channel it promises."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from aduan.accounts.models import User
from aduan.channels.gammu import GammuDB
from aduan.core.actors import SYSTEM
from aduan.core.roles import Role
from aduan.intake.models import Report
from aduan.notifications.defaults import DEFAULT_TEMPLATES
from aduan.notifications.delivery import deliver_due
from aduan.notifications.matrix import MATRIX, SENT_BY_SERVICE, SILENT, Audience, Rule, matrix_markdown
from aduan.notifications.models import OutboundMessage, StaffNotice, StaffPreference
from aduan.notifications.services import notify_submitted
from aduan.notifications.texts import render
from aduan.workflow.models import FollowUp, ReportEvent
from aduan.workflow.recovery import access_code_recover
from aduan.workflow.transitions import TRANSITIONS, Action
from tests.channels.conftest import gammu_sqlite  # noqa: F401 (a fixture)
from tests.conftest import as_actor
from tests.factories import KESEHATAN, act, disposed, owner, submit, verified
from tests.portal.conftest import csrf_client, form_data

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PHONE, EMAIL = "+6281234567890", "siti@example.org"


@pytest.fixture
def people(staff_with_email: dict[str, User], pejabat_dinkes: User) -> dict[str, User]:
    pejabat_dinkes.email = "pejabat@dinkes.test"
    pejabat_dinkes.save(update_fields=["email"])
    return {**staff_with_email, "pejabat_dinkes": pejabat_dinkes}


def _last_event(report: Report, action: str) -> ReportEvent:
    return ReportEvent.objects.filter(report=report, action=action).latest("pk")


def drive(rule: Rule, people: dict[str, User]) -> Report:
    """Bring a fresh report (reporter with phone and email, lead OPD Dinkes) to the rule's event."""
    coordinator = as_actor(people["koordinator"])
    opd = as_actor(people["admin_dinkes"])
    event = rule.event
    if event == "submit":
        submitted = submit()
        notify_submitted(submitted.report, submitted.access_code)
        return submitted.report
    if event == "reset_access_code":
        report = submit().report
        assert access_code_recover(tracking_number=report.tracking_number, contact="0812-3456-7890")
        assert access_code_recover(tracking_number=report.tracking_number, contact=EMAIL.upper())
        return report
    if event in ("hold", "resume", "expire_hold"):
        report = act(coordinator, submit().report, "hold", question="Di desa mana?")
        if event == "resume":
            return act(coordinator, report, "resume")
        return act(SYSTEM, report, "expire_hold") if event == "expire_hold" else report
    if event in ("archive", "mark_duplicate"):
        report = submit().report
        if event == "archive":
            return act(coordinator, report, "archive", reason="spam")
        return act(
            coordinator,
            report,
            "mark_duplicate",
            of=verified(coordinator, phone="", email="").tracking_number,
        )
    if event == "verify":
        return verified(coordinator)
    if event == "remind" and rule.audience == Audience.COORDINATOR:
        return act(SYSTEM, submit().report, "remind")
    if event in ("forward", "forward_update", "forward_returned"):
        from tests.foundation.test_transition_table import PEER_AGENCY, peer_agency_make

        peer_agency_make()  # a province's agency, reached through federation
        report = act(coordinator, verified(coordinator), "forward", agency=PEER_AGENCY)
        if event == "forward":
            return report
        if event == "forward_update":
            return act(
                SYSTEM, report, "forward_update", status="ditindaklanjuti", follow_up="Sudah ditambal."
            )
        return act(SYSTEM, report, "forward_returned", reason="Bukan kewenangan provinsi.")
    report = disposed(coordinator, lead="dinkes" if event != "redispose" else "pupr")
    if event == "dispose":
        return report
    if event == "redispose":
        return act(coordinator, report, "redispose", lead="dinkes", supporting=[], instruction="Ganti.")
    if event == "return":
        return act(opd, report, "return", reason="Urusan PUPR.", proposed_agency="pupr")
    if event in ("remind", "escalate"):
        report = (
            act(SYSTEM, report, "remind") if event == "remind" else act(SYSTEM, report, "escalate", level=1)
        )
        return act(SYSTEM, report, "escalate", level=2) if rule.audience == Audience.HEAD else report
    if event == "draft_follow_up":
        return act(opd, report, "draft_follow_up", text="Puskesmas buka lagi sesuai jadwal.")
    if event in ("approve_follow_up", "send_back_follow_up"):
        report = act(opd, report, "draft_follow_up", text="Draf.")
        draft = FollowUp.objects.get(report=report)
        return act(as_actor(people["pejabat_dinkes"]), report, event, follow_up_id=draft.pk, note="Lengkapi.")
    report = act(as_actor(people["pejabat_dinkes"]), report, "follow_up", text="Jadwal sudah dipasang.")
    if event == "follow_up":
        return report
    if event == "reply":
        return act(owner(report), report, "reply", text="Masih tutup siang hari.")
    if event == "auto_close":
        return act(SYSTEM, report, "auto_close")
    if event == "close":
        return act(coordinator, report, "close", reason="Ditangani lewat jalur lain.")
    report = act(opd, report, "complete")
    if event == "complete":
        return report
    assert event == "reopen", event
    return act(owner(report), report, "reopen", reason="Tutup lagi.")


def expected_staff(rule: Rule, people: dict[str, User]) -> tuple[list[User], list[str]]:
    """The officers and the extra mailboxes the rule's audience means for the driven report."""
    if rule.audience in (Audience.DISPOSED_AGENCIES, Audience.LEAD_AGENCY):
        return [people["admin_dinkes"]], ["dinkes@ponorogo.go.id"]
    if rule.audience == Audience.ACTING_AGENCY:
        return [people["admin_dinkes"]], []
    if rule.audience == Audience.LIAISON:
        return [people["pejabat_dinkes"]], []
    if rule.audience == Audience.COORDINATOR:
        return [people["koordinator"]], []
    assert rule.audience == Audience.HEAD
    return [], ["kepala.dinkes@ponorogo.go.id"]


@pytest.mark.parametrize("rule", MATRIX, ids=lambda r: f"{r.event}-{r.audience.value}")
def test_each_row_tells_its_audience_with_its_template(rule: Rule, people: dict[str, User]) -> None:
    report = drive(rule, people)
    sent = OutboundMessage.objects.filter(report=report, template_key=rule.template)
    if rule.event != "submit":  # the confirmation has no event: it carries the code the event must not
        sent = sent.filter(event__action=rule.event)
    if rule.audience == Audience.REPORTER:
        assert set(sent.values_list("channel", "to")) == {("sms", PHONE), ("email", EMAIL)}
        assert set(sent.values_list("recipient_kind", flat=True)) == {"citizen"}
        return
    users, mailboxes = expected_staff(rule, people)
    assert set(sent.values_list("to", flat=True)) == {u.email for u in users} | set(mailboxes)
    assert set(sent.values_list("channel", flat=True)) == {"email"}
    noticed = StaffNotice.objects.filter(report=report, template_key=rule.template, event__action=rule.event)
    assert set(noticed.values_list("user", flat=True)) == {u.pk for u in users}
    assert all(report.tracking_number in n.text for n in noticed)


def test_every_action_is_in_the_matrix_or_declared_silent() -> None:
    events = {rule.event for rule in MATRIX}
    assert events | set(SILENT) == {a.value for a in Action}
    assert not events & set(SILENT)
    assert SENT_BY_SERVICE <= events


def test_every_public_change_of_state_tells_the_reporter() -> None:
    told = {rule.event for rule in MATRIX if rule.audience == Audience.REPORTER}
    for action, transition in TRANSITIONS.items():
        changes = transition.target is not None or action == Action.REDISPOSE
        only_by_reporter = transition.roles == {Role.CITIZEN}
        if transition.public and changes and not only_by_reporter:
            assert action.value in told, action


def test_every_template_of_the_matrix_has_a_default_text() -> None:
    defaults = {(key, channel) for key, channel, _subject, _body in DEFAULT_TEMPLATES}
    for rule in MATRIX:
        needed = ["sms", "email"] if rule.audience == Audience.REPORTER else ["email"]
        for channel in needed:
            assert (rule.template, channel) in defaults, (rule.template, channel)


def test_the_document_is_the_matrix() -> None:
    assert matrix_markdown() in (ROOT / "docs" / "notifications.md").read_text()


def _gsm_septets(text: str) -> int:
    from aduan.channels.gammu import GSM_EXTENDED, is_gsm7

    assert is_gsm7(text), f"not GSM-7 (would be sent as UCS-2, 70 characters a part): {text!r}"
    return sum(2 if ch in GSM_EXTENDED else 1 for ch in text)


def test_sms_texts_fit_one_segment_with_a_usual_context() -> None:
    context = {
        "tracking_number": "2611-0482913",
        "status": "Ditindaklanjuti oleh Dinas Kesehatan",
        "agency": "Dinas Pekerjaan Umum dan Penataan Ruang",
        "due": "Jumat, 28 November 2026",
        "access_code": "77BH-Q93F",
        "url": "https://aduan.ponorogo.go.id/lacak/2611-0482913/",
        "note": "",
        "title": "Jalan berlubang",
    }
    for key, channel, _subject, _body in DEFAULT_TEMPLATES:
        if channel == "sms":
            rendered = render([key], "sms", context)
            assert rendered is not None
            assert _gsm_septets(rendered[2]) <= 160, (key, len(rendered[2]), rendered[2])


def test_a_long_note_is_cut_in_gsm7() -> None:
    rendered = render(["citizen.follow_up"], "sms", {"note": "Perbaikan selesai. " * 30, "url": "u"})
    assert rendered is not None and "..." in rendered[2] and "…" not in rendered[2]


def test_staff_choose_email_or_the_console_bell(people: dict[str, User]) -> None:
    admin = people["admin_dinkes"]
    StaffPreference.objects.create(user=admin, by_email=False, in_console=True)
    StaffPreference.objects.create(user=people["koordinator"], by_email=True, in_console=False)
    report = disposed(as_actor(people["koordinator"]), lead="dinkes")
    report = act(as_actor(people["pejabat_dinkes"]), report, "follow_up", text="Sudah.")
    act(owner(report), report, "reply", text="Belum.")
    replied = OutboundMessage.objects.filter(report=report, template_key="agency.replied")
    assert set(replied.values_list("to", flat=True)) == {"dinkes@ponorogo.go.id"}  # the mailbox only
    assert StaffNotice.objects.filter(user=admin, template_key="agency.replied").count() == 1
    report2 = disposed(as_actor(people["koordinator"]), lead="dinkes")
    act(as_actor(admin), report2, "return", reason="Urusan PUPR.", proposed_agency="pupr")
    returned = OutboundMessage.objects.filter(report=report2, template_key="coordinator.returned")
    assert list(returned.values_list("to", flat=True)) == ["koordinator@ponorogo.go.id"]
    assert not StaffNotice.objects.filter(user=people["koordinator"]).exists()


def test_an_opted_out_contact_hears_no_news_but_still_gets_its_code(people: dict[str, User]) -> None:
    from aduan.notifications.recipients import contact_opt_out

    contact_opt_out(addresses=[PHONE], source="test")
    report = verified(as_actor(people["koordinator"]))
    assert set(
        OutboundMessage.objects.filter(report=report, template_key="citizen.status").values_list(
            "to", flat=True
        )
    ) == {EMAIL}
    assert access_code_recover(tracking_number=report.tracking_number, contact=PHONE)
    assert OutboundMessage.objects.filter(
        report=report, template_key="citizen.access_code", to=PHONE
    ).exists()


def test_a_whatsapp_reporter_hears_back_on_whatsapp(people: dict[str, User]) -> None:
    report = verified(as_actor(people["koordinator"]), channel="whatsapp", email="")
    [message] = OutboundMessage.objects.filter(report=report, template_key="citizen.status")
    assert (message.channel, message.to) == ("whatsapp", PHONE)
    # Without a Cloud API token the same text goes by SMS to the same number.
    assert deliver_due()["sent"] >= 1
    message.refresh_from_db()
    assert message.state == "sent" and message.provider_id.startswith("console:")


def _web_report_with_only_a_phone(client: Client, token: str) -> Report:
    response = client.post("/lapor/", form_data(email="", csrfmiddlewaretoken=token))
    assert response.status_code == 302, response.content[:500]
    return Report.objects.get(reporter__phone="+6281234567891")


def _walk_to_completion(report: Report, people: dict[str, User]) -> None:
    coordinator = as_actor(people["koordinator"])
    act(
        coordinator,
        report,
        "verify",
        classification="pengaduan_tidak_berkadar_pengawasan",
        category=KESEHATAN,
    )
    act(coordinator, report, "dispose", lead="dinkes", supporting=[], instruction="Segera.")
    pejabat = as_actor(people["pejabat_dinkes"])
    act(pejabat, report, "follow_up", text="Lubang ditambal Senin.")
    act(owner(report), report, "reply", text="Belum rata.")
    act(pejabat, report, "follow_up", text="Sudah diaspal ulang.")
    act(as_actor(people["admin_dinkes"]), report, "complete")


EXPECTED_SMS = [
    "citizen.submitted",
    "citizen.status",  # verified
    "citizen.dispose",
    "citizen.follow_up",
    "citizen.follow_up",
    "citizen.status",  # completed
]


def test_a_phone_only_web_reporter_gets_an_sms_at_every_step(
    people: dict[str, User], settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 15, done when: submission, verification, disposition, each follow-up, completion."""
    settings.ADUAN_SMS_BACKEND = "console"
    client, token = csrf_client()
    report = _web_report_with_only_a_phone(client, token)
    _walk_to_completion(report, people)
    citizen = OutboundMessage.objects.filter(report=report, recipient_kind="citizen").order_by("pk")
    assert [(m.channel, m.template_key) for m in citizen] == [("sms", key) for key in EXPECTED_SMS]
    deliver_due()
    printed = capsys.readouterr().err
    assert printed.count("to +6281234567891:") == len(EXPECTED_SMS)
    assert "Lubang ditambal Senin." in printed and "Sudah diaspal ulang." in printed
    # The OPD heard of the citizen's reply; the pejabat of nothing here (they wrote the follow-ups).
    assert OutboundMessage.objects.filter(report=report, template_key="agency.replied").exists()


def test_the_same_walk_through_a_real_gammu_outbox(
    people: dict[str, User],
    settings: Any,
    gammu_sqlite: tuple[str, GammuDB],  # noqa: F811
) -> None:
    url, db = gammu_sqlite
    settings.ADUAN_SMS_BACKEND = "gammu"
    settings.ADUAN_GAMMU_DATABASE_URL = url
    client, token = csrf_client()
    report = _web_report_with_only_a_phone(client, token)
    _walk_to_completion(report, people)
    assert deliver_due()["sent"] >= len(EXPECTED_SMS)
    rows = db.fetchall('SELECT "DestinationNumber", "TextDecoded", "MultiPart" FROM outbox ORDER BY "ID"')
    assert [r[0] for r in rows] == ["+6281234567891"] * len(EXPECTED_SMS)
    assert report.tracking_number in rows[0][1]
    single = [r for r in rows if str(r[2]).lower() in ("false", "0")]
    assert len(single) >= 4  # the texts without a long note fit one part
