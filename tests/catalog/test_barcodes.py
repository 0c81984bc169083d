"""Product barcodes: the GTIN check digit, one product per GTIN (in any of its
lengths), and the one lookup every scan field uses."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from catalog.barcodes import gtin_check_digit, gtin_problem
from catalog.models import ProductBarcode
from catalog.selectors import products_by_code
from catalog.services import product_barcode_add
from core.errors import InvalidInput
from tests import factories


@pytest.mark.parametrize(
    "code",
    [
        "96385074",  # EAN-8
        "036000291452",  # UPC-A
        "4006381333931",  # EAN-13
        "00012345600012",  # GTIN-14
        "2000000001579",  # the demo's first product
    ],
)
def test_valid_gtins_pass(code):
    assert gtin_problem(code) is None
    assert gtin_check_digit(code[:-1]) == int(code[-1])


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("4006381333932", "check digit"),  # last digit off by one
        ("4006381333913", "check digit"),  # two digits swapped
        ("96385075", "check digit"),
        ("123456789", "8, 12, 13 or 14 digits"),
        ("400638133393X", "digits only"),
        ("４００６３８１３３３９３１", "digits only"),  # full-width digits
        ("", "digits only"),
    ],
)
def test_invalid_gtins_say_why(code, why):
    assert why in str(gtin_problem(code))


@pytest.mark.django_db
def test_a_product_carries_several_barcodes_and_the_lookup_finds_each():
    mug = factories.product(sku="MUG-001")
    product_barcode_add(product=mug, code="4006381333931")
    product_barcode_add(product=mug, code="036000291452")
    # A UPC-A read as its EAN-13 spelling (leading 0) is the same item.
    found = products_by_code({"4006381333931", "0036000291452", "mug-001", "NOPE"})
    assert found == {"4006381333931": mug, "0036000291452": mug, "mug-001": mug}


@pytest.mark.django_db
@pytest.mark.parametrize("again", ["4006381333931", "04006381333931"])
def test_a_barcode_names_one_product_only(again):
    product_barcode_add(product=factories.product(sku="MUG-001"), code="4006381333931")
    lid = factories.product(sku="LID-001")
    with pytest.raises(InvalidInput) as refused:
        product_barcode_add(product=lid, code=again)
    assert refused.value.field == "code"
    assert "already belongs to MUG-001" in refused.value.message
    assert not lid.barcodes.exists()


@pytest.mark.django_db
def test_a_wrong_check_digit_is_refused_and_nothing_stored():
    with pytest.raises(InvalidInput) as refused:
        product_barcode_add(product=factories.product(), code="4006381333932")
    assert refused.value.field == "code"
    assert "check digit" in refused.value.message
    assert not ProductBarcode.objects.exists()


@pytest.mark.django_db
def test_api_lists_barcodes_and_a_duplicate_is_a_400_naming_code():
    mug = factories.product(sku="MUG-001")
    lid = factories.product(sku="LID-001")
    client = APIClient()
    client.force_login(factories.user("manager"))
    url = reverse("api-product-barcodes", args=[mug.pk])
    response = client.post(url, {"code": "4006381333931"}, format="json")
    assert response.status_code == 201
    assert response.json()["barcodes"] == ["4006381333931"]
    listed = client.get(reverse("api-products"), {"sku": "MUG-001"}).json()
    assert listed["results"][0]["barcodes"] == ["4006381333931"]

    url = reverse("api-product-barcodes", args=[lid.pk])
    response = client.post(url, {"code": "4006381333931"}, format="json")
    assert response.status_code == 400
    assert "already belongs to MUG-001" in response.json()["errors"]["code"][0]
    response = client.post(url, {"code": "4006381333932"}, format="json")
    assert response.status_code == 400
    assert "check digit" in response.json()["errors"]["code"][0]
    assert not lid.barcodes.exists()


@pytest.mark.django_db
def test_barcode_page_shows_a_form_error_for_a_taken_barcode():
    mug = factories.product(sku="MUG-001")
    lid = factories.product(sku="LID-001")
    product_barcode_add(product=mug, code="96385074")
    client = Client()
    client.force_login(factories.user("manager"))
    url = reverse("product-barcodes", args=[lid.sku])
    response = client.post(url, {"code": "96385074"})
    assert response.status_code == 200
    assert "Barcode 96385074 already belongs to MUG-001." in response.content.decode()
    response = client.post(url, {"code": "4006381333931"})
    assert response.status_code == 302
    page = client.get(reverse("product-detail", args=[lid.sku])).content.decode()
    assert "4006381333931" in page


@pytest.mark.django_db
def test_staff_see_barcodes_but_cannot_add_them():
    mug = factories.product(sku="MUG-001")
    client = Client()
    client.force_login(factories.user("staff"))
    url = reverse("product-barcodes", args=[mug.sku])
    client.post(url, {"code": "4006381333931"})
    assert not mug.barcodes.exists()


@pytest.mark.django_db
def test_admin_product_page_edits_barcodes_with_the_same_checks():
    mug = factories.product(sku="MUG-001")
    client = Client()
    client.force_login(factories.user("admin"))
    page = client.get(reverse("admin:catalog_product_change", args=[mug.pk]))
    assert "barcodes-TOTAL_FORMS" in page.content.decode()
    # The admin's inline form runs the model's full_clean().
    with pytest.raises(ValidationError) as refused:
        ProductBarcode(product=mug, code="4006381333932").full_clean()
    assert "check digit" in str(refused.value.message_dict["code"])


@pytest.mark.django_db
def test_scan_lookup_answers_by_barcode_or_sku_and_always_200():
    mug = factories.product(sku="MUG-001", name="Blue mug")
    product_barcode_add(product=mug, code="036000291452")
    client = Client()
    client.force_login(factories.user("staff"))
    url = reverse("scan-lookup")
    assert client.get(url, {"code": "0036000291452"}).json()["sku"] == "MUG-001"
    assert client.get(url, {"code": "mug-001"}).json()["name"] == "Blue mug"
    unknown = client.get(url, {"code": "4006381333931"})
    assert (unknown.status_code, unknown.json()["found"]) == (200, False)
