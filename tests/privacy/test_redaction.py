"""Personal data in free text: Samaran's detectors plus the reporter's own record, masked once."""

from __future__ import annotations

import pytest

from aduan.intake.redaction import OwnData, mask_personal_data, personal_data_spans

OWN = OwnData(
    name="Zulkarnain Hidayat", phone="+6281334567890", email="Zul.K@Example.org", nik="3502011508950001"
)


@pytest.mark.parametrize(
    "spelling",
    [
        "081334567890",
        "0813-3456-7890",
        "0813 3456 7890",
        "+62 813 3456 7890",
        "62813.3456.7890",
        "+6281334567890",
    ],
)
def test_the_reporters_phone_in_its_common_spellings(spelling: str) -> None:
    masked = mask_personal_data(f"tolong telp {spelling} ya", OWN)
    assert masked == "tolong telp [telepon] ya"


def test_the_reporters_name_email_and_nik_even_without_a_cue() -> None:
    text = "zulkarnain melihat jalan rusak; kabari zul.k@example.org. Nomor 3502 0115 0895 0001."
    masked = mask_personal_data(text, OWN)
    assert "zulkarnain" not in masked.lower()
    assert "example.org" not in masked
    assert "0895" not in masked
    assert masked.startswith("[nama] melihat jalan rusak")


def test_samaran_finds_other_peoples_data() -> None:
    text = (
        "Saya Budi Santoso, NIK 3502011508950002, KK 3502010101090002, HP 0812-1111-2222, "
        "email budi@gmail.com, rumah di Jl. Soekarno-Hatta No. 12 RT 02 RW 03."
    )
    kinds = {s.kind for s in personal_data_spans(text)}
    assert {"NAME", "NIK", "KK", "PHONE", "EMAIL", "ADDRESS"} <= kinds
    masked = mask_personal_data(text)
    for value in ("Budi", "3502011508950002", "3502010101090002", "1111", "budi@gmail.com", "No. 12"):
        assert value not in masked
    assert "[NIK]" in masked and "[telepon]" in masked and "[alamat]" in masked


def test_complaint_content_is_left_readable() -> None:
    text = "Jalan di Desa Nglumpang berlubang besar sejak Januari; Puskesmas menolak pasien diabetes."
    assert mask_personal_data(text) == text
