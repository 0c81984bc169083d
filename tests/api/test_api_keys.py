"""Shop API keys: the per-request lookup agrees with ShopApiKey.objects.usable()."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Shop, ShopApiKey
from catalog.services import (
    shop_api_key_authenticate,
    shop_api_key_create,
    shop_api_key_revoke,
)

pytestmark = pytest.mark.django_db


def test_lookup_accepts_exactly_the_usable_keys():
    now = timezone.now()
    active = Shop.objects.create(code="active", name="Active shop")
    closed = Shop.objects.create(code="closed", name="Closed shop", is_active=False)
    cases = {
        "plain": shop_api_key_create(shop=active),
        "future expiry": shop_api_key_create(
            shop=active, expires_at=now + timedelta(days=1)
        ),
        "expired": shop_api_key_create(
            shop=active, expires_at=now - timedelta(seconds=1)
        ),
        "revoked": shop_api_key_create(shop=active),
        "shop closed": shop_api_key_create(shop=closed),
    }
    shop_api_key_revoke(api_key=cases["revoked"][0])
    usable = set(ShopApiKey.objects.usable().values_list("pk", flat=True))

    accepted = {
        name
        for name, (api_key, raw) in cases.items()
        if shop_api_key_authenticate(raw_key=raw) is not None
    }

    assert accepted == {"plain", "future expiry"}
    assert {cases[name][0].pk for name in accepted} == usable


def test_lookup_returns_the_key_with_its_shop_as_stored():
    shop = Shop.objects.create(code="north", name="North shop")
    api_key, raw = shop_api_key_create(shop=shop, name="sync")

    found = shop_api_key_authenticate(raw_key=raw)

    assert found.pk == api_key.pk and found.name == "sync"
    assert found.shop.pk == shop.pk and found.shop.code == "north"
    assert found.shop.is_active is True
    assert found.created_at == ShopApiKey.objects.get(pk=api_key.pk).created_at
    # The first use is recorded; a wrong secret with a right prefix is refused.
    assert ShopApiKey.objects.get(pk=api_key.pk).last_used_at is not None
    assert shop_api_key_authenticate(raw_key=raw[:-2] + "xx") is None
    assert shop_api_key_authenticate(raw_key="sw_nothing_here") is None
