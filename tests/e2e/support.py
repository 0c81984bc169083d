"""Browser helpers for the end-to-end tests: the system Chromium and a screen that
fails the test on any console error, uncaught page error or server error."""

import os

import pytest

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the dev extra is not installed
    expect = sync_playwright = None

CHROMIUM = "/usr/bin/chromium"
# Playwright never downloads a browser here: it drives Debian's Chromium, quietly
# (no first-run, sync, update or QUIC traffic to anywhere but the live server).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def missing_reason() -> str | None:
    if sync_playwright is None:
        return "the Python package playwright is missing (pip install -e '.[dev]')"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no system Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


needs_browser = pytest.mark.skipif(
    missing_reason() is not None, reason=str(missing_reason())
)


class Screen:
    """One browser tab that records what a user (or the console) would see go wrong."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", self._page_error)
        page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type == "error":
            where = message.location.get("url") or self.page.url
            self.problems.append(f"console error on {where}: {message.text}")

    def _page_error(self, error) -> None:
        self.problems.append(f"uncaught error on {self.page.url}: {error}")

    def _response(self, response) -> None:
        if response.status >= 500:
            self.problems.append(f"{response.status} from {response.url}")

    def assert_clean(self) -> None:
        problems, self.problems = self.problems, []
        assert not problems, "\n".join(problems)

    def open(self, path: str):
        """Go to path (relative to the live server) and expect a clean 200."""
        response = self.page.goto(path)
        assert response is not None, path
        assert response.status == 200, f"{path}: HTTP {response.status}"
        self.assert_clean()
        return response

    def submit(self, button, *, status: int = 200):
        """Click a submit button and wait for the page the form leads to."""
        with self.page.expect_navigation() as navigation:
            button.click()
        response = navigation.value
        assert response is not None and response.status == status, (
            f"{self.page.url}: HTTP {response and response.status}"
        )
        self.assert_clean()
        return response

    def settle(self) -> None:
        """Wait until the browser sends nothing more: the in-memory SQLite test
        database is one connection shared with the live server's thread, so the
        test reads it only while no request is in flight."""
        self.page.wait_for_load_state("networkidle")

    def login(self, user, password: str = "pw") -> None:
        """Log in through the real login form, as a person would."""
        self.open("/login/")
        self.page.locator("#id_username").fill(user.get_username())
        self.page.locator("#id_password").fill(password)
        self.submit(self.page.locator("main form button[type=submit]"))
        expect(self.page.locator(".topbar__name")).to_have_text(user.get_username())

    def nav_links(self) -> dict[str, str]:
        """The main menu as {href: label}."""
        links = self.page.locator("nav.topnav a")
        return {
            link.get_attribute("href"): link.inner_text().strip()
            for link in links.all()
        }

    def success_message(self):
        return self.page.locator(".messages .message--success")
