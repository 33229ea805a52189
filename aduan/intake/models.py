"""Reports as the citizen submitted them: the report, its reporter, its attachments."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What the citizen says the report is (DOMAIN.md §5)."""

    PENGADUAN = "pengaduan", _("Pengaduan")
    ASPIRASI = "aspirasi", _("Aspirasi")
    PERMINTAAN_INFORMASI = "permintaan_informasi", _("Permintaan informasi")


class Classification(models.TextChoices):
    """The coordinator's four-way classification at verification; it sets the follow-up deadline."""

    BERKADAR_PENGAWASAN = "pengaduan_berkadar_pengawasan", _("Pengaduan berkadar pengawasan")
    TIDAK_BERKADAR_PENGAWASAN = (
        "pengaduan_tidak_berkadar_pengawasan",
        _("Pengaduan tidak berkadar pengawasan"),
    )
    PERMINTAAN_INFORMASI = "permintaan_informasi", _("Permintaan informasi")
    ASPIRASI = "aspirasi", _("Aspirasi")


class Channel(models.TextChoices):
    WEB = "web", _("Website")
    MOBILE = "mobile", _("Aplikasi mobile")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    WHATSAPP = "whatsapp", _("WhatsApp")
    API = "api", _("API / Open311")
    STAFF = "staff", _("Entri petugas (surat, telepon, datang langsung)")
    # Forwarded by another Aduan installation (federation); channel_detail names the origin.
    INSTANSI = "instansi", _("Diteruskan instansi lain")


class Status(models.TextChoices):
    """The lifecycle states of DOMAIN.md §3; only aduan.workflow.services changes them."""

    BELUM_TERVERIFIKASI = "belum_terverifikasi", _("Belum terverifikasi")
    DITUNDA = "ditunda", _("Ditunda (menunggu klarifikasi)")
    TERVERIFIKASI = "terverifikasi", _("Terverifikasi")
    TERDISPOSISI = "terdisposisi", _("Terdisposisi")
    DITINDAKLANJUTI = "ditindaklanjuti", _("Ditindaklanjuti")
    DITANGGAPI_PELAPOR = "ditanggapi_pelapor", _("Ditanggapi pelapor")
    SELESAI = "selesai", _("Selesai")
    DIARSIPKAN = "diarsipkan", _("Diarsipkan")
    # Another installation (a peer agency: province, ministry, national) is responsible for it now;
    # not an open state here: nobody at this installation owes it a step.
    DITERUSKAN = "diteruskan", _("Diteruskan ke instansi lain")


OPEN_STATUSES = frozenset(
    {
        Status.BELUM_TERVERIFIKASI,
        Status.DITUNDA,
        Status.TERVERIFIKASI,
        Status.TERDISPOSISI,
        Status.DITINDAKLANJUTI,
        Status.DITANGGAPI_PELAPOR,
    }
)


class ClosedBy(models.TextChoices):
    CITIZEN = "citizen", _("Dikonfirmasi pelapor")
    AGENCY = "agency", _("Diselesaikan instansi")
    COORDINATOR = "coordinator", _("Ditutup oleh admin")
    SYSTEM = "system", _("Ditutup oleh sistem")


class ArchiveReason(models.TextChoices):
    INCOMPLETE = "incomplete", _("Tidak lengkap / klarifikasi tidak dijawab")
    DUPLICATE = "duplicate", _("Duplikat laporan lain")
    NOT_ACTIONABLE = "not_actionable", _("Bukan laporan yang dapat ditindaklanjuti")
    OUT_OF_SCOPE = "out_of_scope", _("Di luar lingkup pelayanan publik")
    SPAM = "spam", _("Spam / iseng")
    OTHER = "other", _("Lainnya")


class Step(models.TextChoices):
    """The step whose deadline `Report.due_at` holds."""

    VERIFICATION = "verification", _("Verifikasi dan disposisi")
    CLARIFICATION = "clarification", _("Menunggu klarifikasi pelapor")
    RETURNED = "returned", _("Disposisi ulang (dikembalikan OPD)")
    FOLLOW_UP = "follow_up", _("Tindak lanjut OPD")
    REPLY_WINDOW = "reply_window", _("Menunggu tanggapan pelapor")


# Steps someone on staff must act in (reminders and escalation follow them): the coordinator's own
# (verification, re-disposition of a report an OPD returned) and the OPD's. Clarification and the
# reply window wait on the citizen and end by expire_hold / auto_close instead.
COORDINATOR_STEPS = frozenset({Step.VERIFICATION, Step.RETURNED})
AGENCY_STEPS = frozenset({Step.FOLLOW_UP})


class Reporter(models.Model):
    """Who reported: personal data, shown only to the coordinator when the report is anonymous."""

    name = models.CharField(_("nama"), max_length=120, blank=True)
    phone = models.CharField(_("telepon"), max_length=20, blank=True, help_text="E.164, +62…")
    email = models.EmailField(_("email"), blank=True)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reporter_profiles",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["phone"]), models.Index(fields=["email"])]
        verbose_name = _("pelapor")
        verbose_name_plural = _("pelapor")

    def __str__(self) -> str:
        return self.name or self.phone or self.email or f"Pelapor #{self.pk}"


def returned_first() -> models.Case:
    """0 for a report an OPD returned that waits for a new disposition, 1 for the others.

    The coordinator's queues list those first; an index over this very expression
    (`report_queue_returned_first`) serves "semua" without sorting the whole table.
    """
    return models.Case(
        models.When(is_returned=True, status=Status.TERVERIFIKASI, then=models.Value(0)),
        default=models.Value(1),
        output_field=models.IntegerField(),
    )


# The open statuses on the coordinator's step and on the OPDs' (queue indexes below).
COORDINATOR_OPEN_STATUSES = [Status.BELUM_TERVERIFIKASI, Status.TERVERIFIKASI, Status.DITUNDA]
AGENCY_OPEN_STATUSES = [Status.TERDISPOSISI, Status.DITINDAKLANJUTI, Status.DITANGGAPI_PELAPOR]


def replied_first() -> models.Case:
    """0 for a report the citizen replied to (the OPD acts on it again), 1 for the others.

    The OPD queues list those first, then by deadline and newest; indexes over this very
    expression (`report_agency_queue`, `report_agency_open_queue`) serve them without sorting
    every report the OPD holds: PostgreSQL walks the index in order and checks each report's
    disposition until the page is full (issue 16).
    """
    return models.Case(
        models.When(status=Status.DITANGGAPI_PELAPOR, then=models.Value(0)),
        default=models.Value(1),
        output_field=models.IntegerField(),
    )


class Report(models.Model):
    tracking_number = models.CharField(_("nomor laporan"), max_length=20, unique=True)
    # HMAC of the secret access code; the code itself is shown to the reporter once and never stored.
    access_code_digest = models.CharField(max_length=64)

    title = models.CharField(_("judul"), max_length=200)
    original_text = models.TextField(_("isi laporan asli"))
    edited_title = models.CharField(_("judul (disunting)"), max_length=200, blank=True)
    edited_text = models.TextField(_("isi laporan (disunting)"), blank=True)

    kind = models.CharField(_("jenis"), max_length=30, choices=Kind.choices)
    classification = models.CharField(
        _("klasifikasi"), max_length=40, choices=Classification.choices, blank=True
    )
    category = models.ForeignKey(
        "directory.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )

    # No index of its own: nothing looks reports up by `region` (it is the desa, or else the
    # kecamatan); every report written updates each index, hundreds a second in a surge.
    region = models.ForeignKey(
        "directory.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("wilayah"),
        db_index=False,
    )
    # Looked up through the (kecamatan, submitted_at) index below.
    kecamatan = models.ForeignKey(
        "directory.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("kecamatan"),
        db_index=False,
    )
    desa = models.ForeignKey(
        "directory.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("desa/kelurahan"),
    )
    address = models.CharField(_("alamat/lokasi"), max_length=300, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    incident_date = models.DateField(_("tanggal kejadian"), null=True, blank=True)

    channel = models.CharField(_("kanal"), max_length=20, choices=Channel.choices)
    channel_detail = models.CharField(_("rincian kanal"), max_length=60, blank=True)
    reporter = models.ForeignKey(
        Reporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    is_anonymous = models.BooleanField(_("anonim"), default=False)
    is_confidential = models.BooleanField(_("rahasia"), default=False)

    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.BELUM_TERVERIFIKASI
    )
    submitted_at = models.DateTimeField(_("diterima"))
    updated_at = models.DateTimeField(_("diperbarui"))
    verified_at = models.DateTimeField(null=True, blank=True)
    first_disposed_at = models.DateTimeField(null=True, blank=True)
    first_follow_up_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=20, choices=ClosedBy.choices, blank=True)
    archive_reason = models.CharField(max_length=20, choices=ArchiveReason.choices, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    is_returned = models.BooleanField(_("dikembalikan OPD"), default=False)
    clarification_question = models.TextField(blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    # Looked up through the (lead_agency, status) index below.
    lead_agency = models.ForeignKey(
        "directory.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_reports",
        db_index=False,
        help_text="Denormalised from the active lead disposition, for queues and statistics.",
    )

    # The deadline of the current step (DOMAIN.md §4), kept by the lifecycle service.
    step = models.CharField(max_length=20, choices=Step.choices, blank=True)
    step_started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(_("batas waktu"), null=True, blank=True)
    paused_working_days = models.PositiveSmallIntegerField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)

    # What the public reads: the title and text with personal data masked (aduan.intake.redaction),
    # derived by the lifecycle writer at verification, the only way into a public state and the only
    # edit of the text. Public selectors return PublicReport, whose display_* read these.
    public_title = models.TextField(blank=True)
    public_text = models.TextField(blank=True)
    # The head of the report's audit hash chain (aduan/workflow/audit.py): how many events it has
    # and the hash of the last, moved by the lifecycle writer under the row lock.
    audit_seq = models.PositiveIntegerField(default=0)
    audit_head = models.CharField(max_length=64, blank=True)
    # When retention (UU 27/2022) erased the reporter's personal data, location and attachments.
    personal_data_erased_at = models.DateTimeField(null=True, blank=True)
    # The address field as the public reads a non-anonymous report's place (aduan.intake.location):
    # the street stays, a name or phone in it is masked.
    public_address = models.TextField(blank=True)

    support_count = models.PositiveIntegerField(_("dukungan"), default=0)
    search_text = models.TextField(blank=True, help_text="Stemmed shadow of title and text for search")

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["submitted_at"]),
            models.Index(fields=["lead_agency", "status"]),
            models.Index(fields=["kecamatan", "submitted_at"]),
            # The queues' channel filter (the dashboard's drill-down by channel): a rare channel's
            # capped count read all 10M reports, 1.1 s; 30 ms through this (issue 16).
            models.Index(fields=["channel", "submitted_at"], name="report_channel_submitted"),
            # Public statistics take the period's confidential reports away from the counts
            # (aduan.evaluation.disclosure): few rows, and intake writes to it only for them.
            models.Index(
                fields=["submitted_at"],
                condition=models.Q(is_confidential=True),
                name="report_confidential_submitted",
            ),
            # The coordinator's "semua" queue: returned reports first, then the newest (issue 16).
            models.Index(
                returned_first(),
                models.F("submitted_at").desc(),
                name="report_queue_returned_first",
            ),
            # Reports an OPD returned (the coordinator's "dikembalikan", and half of "baru"): few.
            models.Index(fields=["status"], condition=models.Q(is_returned=True), name="report_returned"),
            # The coordinator's queues before disposition (baru, dikembalikan, siap, ditunda) in
            # their order: open reports only, so the index stays small as the history grows.
            models.Index(
                returned_first(),
                models.F("due_at"),
                models.F("submitted_at").desc(),
                condition=models.Q(status__in=COORDINATOR_OPEN_STATUSES),
                name="report_coordinator_queue",
            ),
            # The OPD queues: "semua" (and "selesai") over every report, "baru" and "diproses" over
            # the reports in the OPDs' hands, "ditanggapi" and "terlambat" over the open ones.
            models.Index(
                replied_first(),
                models.F("due_at"),
                models.F("submitted_at").desc(),
                name="report_agency_queue",
            ),
            models.Index(
                replied_first(),
                models.F("due_at"),
                models.F("submitted_at").desc(),
                condition=models.Q(status__in=AGENCY_OPEN_STATUSES),
                name="report_agency_open_queue",
            ),
            models.Index(
                models.F("due_at"),
                models.F("submitted_at").desc(),
                condition=models.Q(status__in=[Status.TERDISPOSISI, Status.DITINDAKLANJUTI]),
                name="report_agency_in_hand",
            ),
        ]
        verbose_name = _("laporan")
        verbose_name_plural = _("laporan")

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.title}"

    @property
    def display_title(self) -> str:
        return self.edited_title or self.title

    @property
    def display_text(self) -> str:
        return self.edited_text or self.original_text

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def check_access_code(self, code: str) -> bool:
        return hmac.compare_digest(self.access_code_digest, access_code_digest(code))

    def masked_texts(self) -> tuple[str, str]:
        """The title and text with personal data masked, the reporter's own record included."""
        from aduan.intake.redaction import mask_personal_data, own_data_of

        own = own_data_of(self.reporter) if self.reporter_id else None
        # The staff-visible text (not display_*: PublicReport reads these very fields through it).
        title, text = self.edited_title or self.title, self.edited_text or self.original_text
        return mask_personal_data(title, own), mask_personal_data(text, own)

    def masked_address(self) -> str:
        from aduan.intake.redaction import mask_address_field, own_data_of

        return mask_address_field(self.address, own_data_of(self.reporter) if self.reporter_id else None)

    def derive_public_text(self) -> set[str]:
        """Set public_title, public_text and public_address from the current text and address;
        returns the fields to save."""
        self.public_title, self.public_text = self.masked_texts()
        self.public_address = self.masked_address()
        return {"public_title", "public_text", "public_address"}


class PublicReport(Report):
    """A report as anyone may see it (aduan.workflow.selectors.reports_public): display_title and
    display_text are the masked public text, so no public page, feed or API can show the citizen's
    own words by mistake."""

    class Meta:
        proxy = True

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.display_title}"

    @property
    def display_title(self) -> str:
        # Derived at verification; a row written some other way is masked here rather than shown.
        return self.public_title or self.masked_texts()[0]

    @property
    def display_text(self) -> str:
        return self.public_text or (self.masked_texts()[1] if self.original_text else "")


class IdentityMaskedReport(PublicReport):
    """A report as staff who may not know its reporter read it (OPD, APIP, pimpinan; from
    aduan.workflow.selectors.reports_visible_to): an anonymous report's title and text with
    personal data masked, as the public reads them; other reports as the coordinator left them."""

    class Meta:
        proxy = True

    @property
    def display_title(self) -> str:
        return super().display_title if self.is_anonymous else self.edited_title or self.title

    @property
    def display_text(self) -> str:
        return super().display_text if self.is_anonymous else self.edited_text or self.original_text


def access_code_digest(code: str) -> str:
    normalised = code.strip().upper().replace("-", "").replace(" ", "")
    return hmac.new(settings.SECRET_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.report.submitted_at:%Y/%m}/{instance.report.tracking_number}/{filename}"


class Attachment(models.Model):
    """A stored file: images re-encoded without metadata (aduan/intake/uploads.py), others verbatim."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    follow_up = models.ForeignKey(
        "workflow.FollowUp", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    # A small JPEG made once when the image is stored, for pages that list photos.
    thumbnail = models.FileField(upload_to=attachment_path, max_length=300, blank=True)
    # The neutral name everyone but the coordinator sees ("lampiran-2.jpg"): a file name like
    # "KTP_<name>.jpg" would reveal an anonymous reporter (workflow.selectors.attachments_visible_to).
    name = models.CharField(max_length=40, blank=True)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField()
    # Shown on public pages, the feed and Open311's media_url: only when the coordinator marked it
    # (workflow.photos.attachment_public_set, audited). Never by default: a citizen's photo may be
    # their KTP, their face or their house.
    is_public = models.BooleanField(default=False)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class Support(models.Model):
    """ "Saya juga mengalami": one per citizen account or device, counted on the report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="supports")
    # A hash of the account id or device token, never the raw value.
    supporter_key = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "supporter_key"], name="support_once_per_supporter")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} +1"


class IdempotencyRecord(models.Model):
    """The first answer to a request sent with an Idempotency-Key (API, PWA drafts); a retry gets it
    again instead of creating a second report. Pruned after a day by the worker."""

    scope = models.CharField(max_length=80, help_text="who sent it: device, token or client")
    key = models.CharField(max_length=128)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request body")
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_once_per_scope")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
