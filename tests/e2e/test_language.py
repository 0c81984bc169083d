"""The language switch: Simplified Chinese menus, remembered after logging out."""

import re

import pytest
from django.urls import reverse

from tests.e2e.support import expect, needs_browser
from tests.e2e.test_pages import FOREIGN_PAGES

pytestmark = [pytest.mark.e2e, needs_browser]

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_switching_to_chinese_translates_the_menu_and_is_remembered(screen, floor):
    page = screen.page
    screen.login(floor.manager)
    english = screen.nav_links()
    assert english[reverse("home")] == "Home"

    switch = page.locator('form[action$="/i18n/setlang/"]')
    switch.locator("select[name=language]").select_option("zh-hans")
    screen.submit(switch.locator("button[type=submit]"))

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    chinese = screen.nav_links()
    assert set(chinese) == set(english), "the same menu, only translated"
    untranslated = {
        href: label
        for href, label in chinese.items()
        if label == english[href] or not CJK.search(label)
    }
    assert not untranslated, f"English left in the Chinese menu: {untranslated}"

    # Every page of the menu works in Chinese too (localised numbers, dates, charts).
    for path in chinese:
        screen.open(path)
        if not path.startswith(FOREIGN_PAGES):
            expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    # The choice outlives the session: after logging out, the login page is Chinese.
    screen.open(reverse("home"))
    screen.submit(page.locator('form[action$="/logout/"] button'))
    assert page.url.endswith(reverse("login"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    button = page.locator("main form button[type=submit]")
    assert CJK.search(button.inner_text()), button.inner_text()
