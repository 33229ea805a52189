"""The directory: Kemendagri regions, agencies (OPD), categories and routing rules."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A Kemendagri region, keyed by its official dotted code (35.02.17.1001)."""

    class Level(models.IntegerChoices):
        PROVINSI = 1, _("Provinsi")
        KABUPATEN = 2, _("Kabupaten/Kota")
        KECAMATAN = 3, _("Kecamatan")
        DESA = 4, _("Desa/Kelurahan")

    code = models.CharField(max_length=13, primary_key=True)
    name = models.CharField(max_length=120)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    kind = models.CharField(max_length=20, help_text="provinsi, kabupaten, kota, kecamatan, desa, kelurahan")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    postal_code = models.CharField(max_length=5, blank=True)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "name"])]
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def kecamatan_code(self) -> str | None:
        """The code of the kecamatan this region lies in (itself when a kecamatan)."""
        if self.level < self.Level.KECAMATAN:
            return None
        return ".".join(self.code.split(".")[:3])


class Boundary(models.Model):
    """A kecamatan's or desa's polygon (GeoJSON, WGS84), from the kabupaten's GIS office through
    `aduan import_boundaries`; with its box, so a point is only tested against the few it may be in."""

    region = models.OneToOneField(Region, primary_key=True, on_delete=models.CASCADE, related_name="boundary")
    geometry = models.JSONField(help_text="GeoJSON Polygon or MultiPolygon, longitude/latitude (WGS84)")
    south = models.FloatField()
    west = models.FloatField()
    north = models.FloatField()
    east = models.FloatField()

    class Meta:
        verbose_name = _("batas wilayah")
        verbose_name_plural = _("batas wilayah")

    def __str__(self) -> str:
        return str(self.region_id)


class Agency(models.Model):
    """An agency in the tree: pemerintah kabupaten → OPD → unit."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Pemerintah daerah")
        COORDINATOR = "coordinator", _("Koordinator (Diskominfo)")
        OPD = "opd", _("OPD")
        APIP = "apip", _("APIP / Inspektorat")
        HOSPITAL = "hospital", _("Rumah sakit daerah")
        KECAMATAN = "kecamatan", _("Kecamatan")
        UNIT = "unit", _("Unit kerja")
        EXTERNAL = "external", _("Instansi lain (vertikal/provinsi/pusat)")

    code = models.SlugField(
        max_length=40, unique=True, help_text=_("Kode tetap yang dipakai API, mis. dinkes")
    )
    name = models.CharField(_("nama"), max_length=200)
    short_name = models.CharField(_("singkatan"), max_length=40, blank=True)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices, default=Kind.OPD)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    email = models.EmailField(_("email admin"), blank=True)
    head_name = models.CharField(_("kepala"), max_length=120, blank=True)
    head_email = models.EmailField(_("email kepala"), blank=True)
    requires_approval = models.BooleanField(
        _("tindak lanjut perlu persetujuan pejabat penghubung"), default=False
    )
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("instansi")
        verbose_name_plural = _("instansi")

    def __str__(self) -> str:
        return self.short_name or self.name


class Category(models.Model):
    """A topic in the category tree (national topics plus local ones an admin adds)."""

    code = models.SlugField(max_length=120, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_national = models.BooleanField(_("kategori nasional"), default=False)
    is_active = models.BooleanField(_("aktif"), default=True)
    # The installation's topic list: the top-level topics citizens pick from (portal, Open311);
    # staff always see the whole tree. Chosen by the coordinator at /konsol/pengaturan/topik/.
    is_citizen_topic = models.BooleanField(_("ditawarkan kepada warga"), default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["parent_id", "position", "name"]
        verbose_name = _("kategori")
        verbose_name_plural = _("kategori")

    def __str__(self) -> str:
        return self.name

    @property
    def top(self) -> Category:
        node = self
        while node.parent is not None:
            node = node.parent
        return node


class RoutingRule(models.Model):
    """Category (and optionally kecamatan) → the default lead OPD the coordinator is offered."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routing_rules")
    kecamatan = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        limit_choices_to={"level": Region.Level.KECAMATAN},
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="routing_rules")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["category", "kecamatan"], name="routing_unique_category_kecamatan"
            ),
            models.UniqueConstraint(
                fields=["category"],
                condition=Q(kecamatan__isnull=True),
                name="routing_unique_category_default",
            ),
        ]
        verbose_name = _("aturan disposisi")
        verbose_name_plural = _("aturan disposisi")

    def __str__(self) -> str:
        where = f" @ {self.kecamatan.name}" if self.kecamatan is not None else ""
        return f"{self.category} → {self.agency}{where}"
