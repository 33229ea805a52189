"""The citizen's report form and the small forms of the tracking page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from aduan.core import clock
from aduan.directory.models import Category, Region
from aduan.directory.names import nice_category_name
from aduan.directory.selectors import citizen_topics
from aduan.intake.models import Kind
from aduan.intake.services import normalize_tracking_number

KIND_HELP = {
    Kind.PENGADUAN: _(
        "Ada layanan publik yang buruk atau merugikan Anda, mis. jalan rusak, puskesmas tutup, pungutan liar."
    ),
    Kind.ASPIRASI: _("Usul atau saran untuk perbaikan layanan dan pembangunan di daerah Anda."),
    Kind.PERMINTAAN_INFORMASI: _(
        "Anda ingin tahu sesuatu dari pemerintah, mis. syarat layanan, jadwal, atau anggaran."
    ),
}
ACCEPT = "image/jpeg,image/png,image/webp,application/pdf"


def kecamatan_choices() -> list[tuple[str, str]]:
    rows = Region.objects.filter(parent_id=settings.ADUAN_HOME_REGION, level=Region.Level.KECAMATAN).order_by(
        "name"
    )
    return [(r.code, r.name.title()) for r in rows]


def desa_choices(kecamatan_code: str | None) -> list[tuple[str, str]]:
    if not kecamatan_code:
        return []
    rows = Region.objects.filter(parent_id=kecamatan_code, level=Region.Level.DESA).order_by("name")
    return [(r.code, r.name.title()) for r in rows]


def category_choices(*, citizen_only: bool = True) -> list[tuple[str, str]]:
    """Top-level topics: the installation's citizen topic list (the report form), or every active
    one (the public feed's filter, since staff may file a report under any topic)."""
    rows = (
        citizen_topics() if citizen_only else Category.objects.filter(parent__isnull=True, is_active=True)
    ).order_by("name")
    return [(c.code, nice_category_name(c.name)) for c in rows]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by content later, by aduan.intake.uploads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        items = data if isinstance(data, (list, tuple)) else [data]
        return [single(item, initial) for item in items if item]


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis laporan"), choices=Kind.choices, widget=forms.RadioSelect)
    title = forms.CharField(
        label=_("Judul singkat"),
        max_length=200,
        help_text=_("Satu kalimat, mis. “Jalan berlubang di depan SDN 1 Babadan”."),
    )
    description = forms.CharField(
        label=_("Apa yang terjadi?"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Ceritakan apa, di mana, kapan, dan siapa yang terlibat. Jangan tulis data pribadi orang lain yang tidak perlu."
        ),
    )
    incident_date = forms.DateField(
        label=_("Kapan terjadi?"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Boleh dikosongkan bila tidak ingat."),
    )
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), choices=())
    desa = forms.ChoiceField(label=_("Desa/kelurahan"), choices=(), required=False)
    address = forms.CharField(
        label=_("Alamat atau patokan"),
        max_length=300,
        required=False,
        help_text=_("Mis. nama jalan, RT/RW, atau bangunan terdekat."),
    )
    latitude = forms.DecimalField(
        label=_("Lintang (latitude)"),
        required=False,
        min_value=-90,
        max_value=90,
        decimal_places=6,
        max_digits=9,
    )
    longitude = forms.DecimalField(
        label=_("Bujur (longitude)"),
        required=False,
        min_value=-180,
        max_value=180,
        decimal_places=6,
        max_digits=9,
    )
    category = forms.ChoiceField(label=_("Topik"), choices=(), required=False)
    attachments = MultipleFileField(
        label=_("Lampiran (foto atau PDF)"),
        required=False,
        help_text=_(
            "Boleh lebih dari satu. Foto diproses ulang sehingga data tersembunyi (mis. lokasi GPS) terhapus."
        ),
    )
    keep_location = forms.BooleanField(
        label=_("Sertakan lokasi foto"),
        required=False,
        help_text=_("Bila dicentang, lokasi GPS yang tersimpan di foto ikut dikirim ke petugas."),
    )
    anonymous = forms.BooleanField(
        label=_("Anonim"),
        required=False,
        help_text=_(
            "Nama dan kontak Anda hanya diketahui admin koordinator, tidak oleh instansi yang menangani maupun publik."
        ),
    )
    confidential = forms.BooleanField(
        label=_("Rahasia"),
        required=False,
        help_text=_("Seluruh laporan tidak ditampilkan di daftar laporan publik."),
    )
    name = forms.CharField(label=_("Nama"), max_length=120, required=False)
    phone = forms.CharField(
        label=_("Nomor HP"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("Untuk kabar perkembangan lewat SMS, mis. 0812 3456 7890."),
    )
    email = forms.EmailField(
        label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    consent = forms.BooleanField(
        label=_("Saya telah membaca dan menyetujui pemberitahuan privasi."),
        error_messages={"required": _("Centang persetujuan pemberitahuan privasi untuk mengirim laporan.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choice("kecamatan").choices = [("", _("— Pilih kecamatan —")), *kecamatan_choices()]
        selected = (self.data.get("kecamatan") if self.is_bound else self.initial.get("kecamatan")) or ""
        self._choice("desa").choices = [
            ("", _("— Tidak tahu / pilih kecamatan dulu —")),
            *desa_choices(selected),
        ]
        self._choice("category").choices = [
            ("", _("Tidak tahu, biar petugas yang memilih")),
            *category_choices(),
        ]
        self.fields["name"].widget.attrs["autocomplete"] = "name"

    def _choice(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    def clean_incident_date(self) -> Any:
        day = self.cleaned_data.get("incident_date")
        if day and day > clock.local_today():
            raise forms.ValidationError(_("Tanggal kejadian tidak boleh di masa depan."))
        return day

    def clean_attachments(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        maximum = settings.ADUAN_ATTACHMENTS_PER_REPORT
        if len(files) > maximum:
            raise forms.ValidationError(_("Paling banyak %(n)s lampiran.") % {"n": maximum})
        return files

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        desa = data.get("desa")
        if desa and data.get("kecamatan") and not desa.startswith(data["kecamatan"] + "."):
            self.add_error("desa", _("Desa/kelurahan ini tidak ada di kecamatan yang dipilih."))
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Isi lintang dan bujur bersama-sama, atau kosongkan keduanya."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned text fields as intake's report_submit takes them (no files)."""
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "title": d["title"],
            "description": d["description"],
            "region": d.get("desa") or d["kecamatan"],
            "category": d.get("category") or None,
            "address": d.get("address") or "",
            "latitude": d.get("latitude"),
            "longitude": d.get("longitude"),
            "incident_date": d.get("incident_date"),
            "name": d.get("name") or "",
            "phone": d.get("phone") or "",
            "email": d.get("email") or "",
            "anonymous": bool(d.get("anonymous")),
            "confidential": bool(d.get("confidential")),
        }


# Fields of the service that a domain error may name, mapped to the form field that shows it.
SERVICE_FIELD_TO_FORM = {"region": "kecamatan", "attachments": "attachments"}


class _TrackingNumberForm(forms.Form):
    tracking_number = forms.CharField(
        label=_("Nomor laporan"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "placeholder": "2611-1234567"}
        ),
    )

    def clean_tracking_number(self) -> str:
        raw = str(self.cleaned_data["tracking_number"]).strip()
        # Typed on a phone's number pad the dash is often missing: 26111234567.
        return normalize_tracking_number(raw) or raw


class RecoverForm(_TrackingNumberForm):
    """ "Lupa kode akses?": the tracking number and the phone or e-mail given with the report."""

    contact = forms.CharField(
        label=_("Nomor HP atau email yang Anda berikan saat melapor"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "0812… / nama@contoh.id"}),
    )


class TrackForm(_TrackingNumberForm):
    access_code = forms.CharField(
        label=_("Kode akses"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "placeholder": "ABCD-EFGH"}
        ),
    )
