"""The English catalogue is complete, keeps every placeholder, and the compiled .mo matches the .po.

A string added to the code later fails here once `aduan makemessages -l en` has merged it into the
.po without a translation. When GNU xgettext is installed, the last test also extracts the strings
from a copy of the source tree, so a string that was never merged fails too.
"""

from __future__ import annotations

import gettext
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command

import aduan

PACKAGE = Path(aduan.__file__).resolve().parent
PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"

ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: ESCAPES[m.group(1)], text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """The live entries of a .po file (obsolete `#~` entries skipped)."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None

    def flush() -> None:
        nonlocal current, target
        if target is not None:
            entries.append(current)
        current, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                flush()
            continue
        if line.startswith("#,"):
            current.flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, f"{path}:{number}: continuation without keyword"
            kind, index = target
            if kind == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, kind, getattr(current, kind) + _unquote(line))
        else:
            keyword, _, value = line.partition(" ")
            plural = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if keyword in ("msgid", "msgid_plural", "msgctxt"):
                if keyword == "msgid":
                    current.line = number
                setattr(current, keyword, _unquote(value))
                target = (keyword, 0)
            elif keyword == "msgstr" or plural:
                index = int(plural.group(1)) if plural else 0
                while len(current.msgstr) <= index:
                    current.msgstr.append("")
                current.msgstr[index] = _unquote(value)
                target = ("msgstr", index)
            else:
                raise AssertionError(f"{path}:{number}: unexpected line {raw!r}")
    flush()
    return entries


def placeholders(text: str) -> list[str]:
    """printf (%(name)s, %s, %d, %%) and str.format ({name}) placeholders, sorted."""
    found = re.findall(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]", text)
    found += re.findall(r"(?<!\{)\{[a-z_]*\}(?!\})", text)
    return sorted(found)


HTML_TAG = r"</?(?:a|abbr|b|br|code|em|i|kbd|li|p|small|span|strong|time|ul)\b"


def html_tags(text: str) -> list[str]:
    # Only real HTML: SMS help texts contain "<nomor laporan>", which is translated.
    return sorted(re.findall(HTML_TAG, text))


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    assert PO.exists(), f"{PO} is missing: run `aduan makemessages -l en`"
    return parse_po(PO)


def test_header_is_english_with_two_plural_forms(entries: list[Entry]) -> None:
    header = entries[0]
    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    assert "Language: en\n" in header.msgstr[0]
    assert "Content-Type: text/plain; charset=UTF-8\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header.msgstr[0]


def test_every_message_is_translated_and_none_is_fuzzy(entries: list[Entry]) -> None:
    messages = entries[1:]
    assert len(messages) > 500, "the catalogue lost most of its messages"
    untranslated = [
        f"line {e.line}: {e.msgid!r}"
        for e in messages
        if not e.msgstr or any(not s.strip() for s in e.msgstr)
    ]
    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in messages if "fuzzy" in e.flags]
    assert not untranslated, f"{len(untranslated)} untranslated in {PO.name}:\n" + "\n".join(untranslated)
    assert not fuzzy, f"{len(fuzzy)} fuzzy (check, then remove the flag):\n" + "\n".join(fuzzy)
    for e in messages:
        if e.msgid_plural is not None:
            assert len(e.msgstr) == 2, f"line {e.line}: {e.msgid!r} needs msgstr[0] and msgstr[1]"


def test_translations_keep_placeholders_and_markup(entries: list[Entry]) -> None:
    broken = []
    for e in entries[1:]:
        sources = [e.msgid] if e.msgid_plural is None else [e.msgid, e.msgid_plural]
        for index, translated in enumerate(e.msgstr):
            source = sources[min(index, len(sources) - 1)]
            if placeholders(source) != placeholders(translated):
                broken.append(f"line {e.line}: {placeholders(source)} != {placeholders(translated)}")
            if html_tags(source) != html_tags(translated):
                broken.append(f"line {e.line}: tags {html_tags(source)} != {html_tags(translated)}")
            if source.endswith("\n") != translated.endswith("\n"):
                broken.append(f"line {e.line}: trailing newline differs")
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("language", ["en", "id"])
def test_compiled_catalogue_matches_the_po(language: str) -> None:
    po = PACKAGE / "locale" / language / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    entries = parse_po(po)
    assert mo.exists(), f"{mo} is missing: run `cd {mo.parent} && msgfmt --check -o django.mo django.po`"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for e in entries[1:]:
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            got = compiled._catalog.get(key)  # type: ignore[attr-defined]
            if got != e.msgstr[0]:
                stale.append(f"line {e.line}: {e.msgid!r}")
        else:
            for index, expected in enumerate(e.msgstr):
                if compiled._catalog.get((key, index)) != expected:  # type: ignore[attr-defined]
                    stale.append(f"line {e.line}: {e.msgid!r}[{index}]")
    assert not stale, "django.mo is older than django.po; recompile:\n" + "\n".join(stale)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) not installed")
def test_every_string_in_the_code_is_in_the_catalogue(
    tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # Extract from a copy so the committed .po is never touched by the test run.
    copy = tmp_path / "aduan"
    shutil.copytree(
        PACKAGE,
        copy,
        ignore=shutil.ignore_patterns("static", "__pycache__", "migrations", "*.mo", "*.pyc"),
    )
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["en"], verbosity=0)
    fresh = parse_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    missing = [
        f"{e.msgid!r}"
        for e in fresh[1:]
        if "fuzzy" in e.flags or not e.msgstr or any(not s.strip() for s in e.msgstr)
    ]
    assert not missing, (
        f"{len(missing)} strings in the code are not translated in {PO}; run "
        "`aduan makemessages -l en --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' "
        "--ignore 'bench/*'`, translate, then compile:\n" + "\n".join(missing)
    )
