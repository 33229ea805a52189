"""The summary paragraph of the evaluation, in the style of the seed (numbers below ten in words)."""

from __future__ import annotations

from typing import Any

from aduan.directory.names import nice_category_name
from aduan.evaluation.disclosure import min_count
from aduan.evaluation.stats import NO_CATEGORY, NO_LOCATION

_WORDS = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]

# How the summary names each channel ("melalui kanal website", "melalui SMS").
CHANNEL_PHRASES = {
    "web": "kanal website",
    "mobile": "aplikasi mobile (Android)",
    "sms": "SMS",
    "email": "email",
    "whatsapp": "WhatsApp",
    "api": "API aplikasi mitra",
    "staff": "entri petugas (surat, telepon, datang langsung)",
}
CLASSIFICATION_PHRASES = {
    "pengaduan_berkadar_pengawasan": "pengaduan berkadar pengawasan",
    "pengaduan_tidak_berkadar_pengawasan": "pengaduan tidak berkadar pengawasan",
    "permintaan_informasi": "permintaan informasi",
    "aspirasi": "aspirasi",
}


def number(n: int | None) -> str:
    """Numbers below ten in words, as Indonesian prose writes them; None is a count public
    statistics withheld (aduan.evaluation.disclosure): "kurang dari lima"."""
    if n is None:
        return f"kurang dari {number(min_count())}"
    return _WORDS[n] if 0 <= n < 10 else f"{n:,}".replace(",", ".")


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    if len(parts) == 2:
        return f"{parts[0]} dan {parts[1]}"
    return ", ".join(parts[:-1]) + f", dan {parts[-1]}"


def channel_sentence(by_channel: dict[str, int]) -> str:
    """'Sebanyak 46 laporan melalui kanal website, lima melalui aplikasi mobile (Android), dan satu
    laporan melalui SMS.'"""
    used = sorted(((n, code) for code, n in by_channel.items() if n), key=lambda t: -t[0])
    if not used:
        return ""
    if len(used) == 1:
        n, code = used[0]
        return f"Seluruh {number(n)} laporan masuk melalui {CHANNEL_PHRASES.get(code, code)}."
    parts = []
    for index, (n, code) in enumerate(used):
        phrase = CHANNEL_PHRASES.get(code, code)
        if index == 0:
            parts.append(f"Sebanyak {number(n)} laporan melalui {phrase}")
        elif index == len(used) - 1:
            parts.append(f"{number(n)} laporan melalui {phrase}")
        else:
            parts.append(f"{number(n)} melalui {phrase}")
    return _join(parts) + "."


def period_phrase(label: str) -> str:
    """'Tahun 2022' → 'tahun 2022', 'Januari 2022' → 'bulan Januari 2022', a range → 'periode …'."""
    first = label.split(" ", 1)[0]
    if first in ("Tahun", "Triwulan"):
        return label[0].lower() + label[1:]
    if first[:1].isdigit():
        return f"periode {label}"
    return f"bulan {label}"


def summary_sentences(data: dict[str, Any]) -> list[str]:
    """The summary paragraph as sentences, generated from the figures."""
    total = data["total"]
    where = data["scope"]["name"]
    period = period_phrase(data["period"]["label"])
    if total == 0:
        return [f"Selama {period}, {where} tidak menerima laporan."]
    sentences = [f"Selama {period}, {where} menerima {number(total)} laporan melalui SP4N-LAPOR!."]
    if data.get("privacy", {}).get("slice") == "narrow":
        # Public figures of a slice narrower than the kabupaten and a year: the counts below the
        # minimum are withheld, and prose built from the rest could let them be worked out.
        return sentences
    sentences.append(channel_sentence(data["by_channel"]))
    by_class = data["by_classification"]
    berkadar = by_class.get("pengaduan_berkadar_pengawasan", 0)
    others = [
        f"{number(n)} {CLASSIFICATION_PHRASES[code]}"
        for code, n in sorted(by_class.items(), key=lambda kv: -kv[1])
        if n and code != "pengaduan_berkadar_pengawasan"
    ]
    rest = sum(n for code, n in by_class.items() if code != "pengaduan_berkadar_pengawasan")
    if berkadar and others:
        sentences.append(
            f"Dari jumlah tersebut, {number(berkadar)} laporan merupakan pengaduan berkadar pengawasan, "
            f"sedangkan {number(rest)} laporan lainnya terdiri atas {_join(others)}."
        )
    elif others:
        sentences.append(
            f"Laporan tersebut terdiri atas {_join(others)}; tidak ada pengaduan berkadar pengawasan."
        )
    outcome = data["by_outcome"]
    disposed, followed, archived = outcome["disposed"], outcome["followed_up"], outcome["archived"]
    if disposed:
        if followed == disposed:
            handled = f"Sebanyak {number(disposed)} laporan telah didisposisikan kepada OPD teknis dan ditindaklanjuti"
        else:
            handled = (
                f"Sebanyak {number(disposed)} laporan telah didisposisikan kepada OPD teknis, "
                f"{number(followed)} di antaranya telah ditindaklanjuti"
            )
        sentences.append(
            handled + (f", sedangkan {number(archived)} laporan diarsipkan." if archived else ".")
        )
    elif archived:
        sentences.append(f"Sebanyak {number(archived)} laporan diarsipkan.")
    topics = [
        f"{nice_category_name(entry['name'])} ({number(entry['count'])})"
        for code, entry in list(data["by_category"].items())[:4]
        if entry["count"] and code != NO_CATEGORY
    ]
    if topics:
        sentences.append(f"Topik yang paling banyak dilaporkan: {_join(topics)}.")
    kecamatan = [
        (code, entry)
        for code, entry in data["by_kecamatan"].items()
        if (entry["count"] is None or entry["count"]) and code != NO_LOCATION
    ]
    if kecamatan and data["scope"]["kind"] != "kecamatan" and kecamatan[0][1]["count"] is not None:
        code, top = kecamatan[0]
        remaining = len(kecamatan) - 1
        sentence = (
            f"Laporan terbanyak berasal dari Kecamatan {top['name']}, yaitu {number(top['count'])} laporan"
        )
        if remaining:
            sentence += f"; selebihnya tersebar di {number(remaining)} kecamatan lain."
        else:
            sentence += "."
        sentences.append(sentence)
    return [s for s in sentences if s]


def summary(data: dict[str, Any]) -> str:
    return " ".join(summary_sentences(data))


TITLE = "Laporan Evaluasi SP4N-LAPOR!"
