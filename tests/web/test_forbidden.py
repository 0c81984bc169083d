"""A 403: the site's own page with a way home, logged in one line (no traceback)."""

import io
import logging

from django.urls import reverse

from tests import factories
from tests.conftest import user_client


def test_staff_on_a_managers_page_gets_the_styled_403(db):
    client = user_client(factories.user("staff"))
    response = client.get(reverse("forecast-runs"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "You may not open this page" in page
    assert 'class="topbar"' in page  # the base layout, with its menu
    assert f'href="{reverse("home")}"' in page
    assert "app.css" in page


def test_the_403_page_speaks_chinese(db):
    client = user_client(factories.user("staff"))
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("forecast-runs")).content.decode()
    assert "您无权打开此页面" in page


def test_a_403_is_logged_without_a_traceback(db):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        client = user_client(factories.user("staff"))
        assert client.get(reverse("forecast-runs")).status_code == 403
    finally:
        root.removeHandler(handler)
    logged = stream.getvalue()
    assert "WARNING django.request Forbidden (Permission denied): /forecasts/runs/" in (
        logged
    )
    assert "Traceback" not in logged
    assert "PermissionDenied" not in logged
