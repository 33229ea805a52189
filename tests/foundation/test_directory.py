from __future__ import annotations

import pytest

from aduan.core.errors import InvalidInput
from aduan.directory.models import Agency, Category, Region, RoutingRule
from aduan.directory.ponorogo import ILLEGAL_BANNERS
from aduan.directory.services import (
    categories_import,
    category_add,
    category_code,
    regions_import,
    suggest_lead_agency,
)


@pytest.mark.django_db
def test_regions_imported_with_official_codes() -> None:
    assert Region.objects.filter(level=1).count() == 38
    assert Region.objects.filter(level=2, parent_id="35").count() == 38  # Jawa Timur's kabupaten/kota
    ponorogo = Region.objects.get(code="35.02")
    assert ponorogo.name == "Kabupaten Ponorogo"
    kecamatan = Region.objects.filter(parent=ponorogo)
    assert kecamatan.count() == 21
    assert Region.objects.get(code="35.02.17").name == "Ponorogo"
    assert Region.objects.filter(level=4, code__startswith="35.02.").count() == 307
    assert Region.objects.get(code="35.02.17.1001").kecamatan_code == "35.02.17"
    # Every kecamatan of Jawa Timur, not only Ponorogo's.
    assert Region.objects.filter(level=3, code__startswith="35.").count() > 600
    assert regions_import() == 0  # idempotent


@pytest.mark.django_db
def test_national_categories_imported_and_idempotent() -> None:
    tops = Category.objects.filter(parent__isnull=True, is_national=True)
    assert tops.count() == 38
    kesehatan = Category.objects.get(code="kesehatan")
    assert kesehatan.name == "KESEHATAN" and kesehatan.children.count() > 5
    assert "\xa0" not in "".join(Category.objects.values_list("name", flat=True))
    assert categories_import() == 0


@pytest.mark.django_db
def test_admins_add_rename_and_disable_local_categories() -> None:
    local = category_add(name="Festival Reog 2026", parent_code="pendidikan-dan-kebudayaan")
    assert not local.is_national and local.parent.code == "pendidikan-dan-kebudayaan"
    with pytest.raises(InvalidInput) as error:
        category_add(name="Festival Reog 2026", parent_code="pendidikan-dan-kebudayaan")
    assert error.value.code == "category_exists"
    third_level = category_add(name="Lomba", parent_code=local.code)
    with pytest.raises(InvalidInput) as error:
        category_add(name="Terlalu dalam", parent_code=third_level.code)
    assert error.value.code == "category_too_deep"
    local.name, local.is_active = "Festival Reog", False
    local.save()
    categories_import()
    local.refresh_from_db()
    assert local.name == "Festival Reog" and not local.is_active


@pytest.mark.django_db
def test_routing_suggests_the_lead_opd() -> None:
    banners = Category.objects.get(name=ILLEGAL_BANNERS)
    assert suggest_lead_agency(category=banners, kecamatan=None).code == "satpolpp"  # type: ignore[union-attr]
    sub = Category.objects.filter(parent__code="kesehatan").first()
    assert suggest_lead_agency(category=sub, kecamatan=None).code == "dinkes"  # type: ignore[union-attr]
    kecamatan = Region.objects.get(code="35.02.01")
    RoutingRule.objects.create(
        category=Category.objects.get(code="kesehatan"),
        kecamatan=kecamatan,
        agency=Agency.objects.get(code="rsud"),
    )
    assert suggest_lead_agency(category=sub, kecamatan=kecamatan).code == "rsud"  # type: ignore[union-attr]
    assert (
        suggest_lead_agency(category=Category.objects.get(code=category_code("AGAMA")), kecamatan=None)
        is None
    )


@pytest.mark.django_db
def test_agency_tree_has_the_apip() -> None:
    government = Agency.objects.get(code="pemkab-ponorogo")
    assert Agency.objects.get(code="inspektorat").kind == Agency.Kind.APIP
    assert set(government.children.values_list("code", flat=True)) >= {
        "diskominfo",
        "inspektorat",
        "dinkes",
        "rsud",
        "pupr",
        "dinsos",
        "satpolpp",
        "dindik",
        "dispendukcapil",
        "dishub",
    }
