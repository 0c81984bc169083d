import os

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests import factories


def pytest_collection_modifyitems(config, items):
    on_postgres = bool(os.environ.get("DATABASE_URL", "").startswith("postgres"))
    has_redis = bool(os.environ.get("REDIS_URL"))
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL")
    skip_worker = pytest.mark.skip(
        reason="needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL) for a real worker"
    )
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "celery_worker" in item.keywords and not (has_redis and on_postgres):
            item.add_marker(skip_worker)


@pytest.fixture
def warehouse(db):
    return factories.warehouse(code="main")


@pytest.fixture
def other_warehouse(db):
    return factories.warehouse(code="east")


@pytest.fixture
def product(db):
    return factories.product(sku="MUG-001")


@pytest.fixture
def staff_user(db):
    return factories.user("staff")


@pytest.fixture
def manager_user(db):
    return factories.user("manager")


@pytest.fixture
def admin_user(db):
    return factories.user("admin")


@pytest.fixture
def shop_a(db):
    return factories.shop("shop-a")


@pytest.fixture
def shop_b(db):
    return factories.shop("shop-b")


def shop_client(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


def user_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"
