"""Walk a deployed Stockwise as each role would; exit 1 unless every answer is 200.

Usage: deploy_walk.py BASE_URL SEED_OUTPUT

BASE_URL is gunicorn's plain-HTTP address; every request carries the header a TLS
proxy adds (`X-Forwarded-Proto: https`), so the site runs with SECURE_SSL_REDIRECT
and Secure cookies on, as in production. SEED_OUTPUT is what `seed_demo` printed:
the logins for each role and a shop API key. Each role logs in through the login
form (CSRF token and all), then asks for every link in its navigation bar, one
product page, the static files those pages link, `/admin/login/`, `/api/docs/` and
`/api/schema/`. Standard library only: it runs before anything else is trusted.
"""

import http.client
import re
import sys
import time
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit

PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
# What each role's navigation must offer at least (more is walked too).
STAFF_PAGES = {
    "/",
    "/products/",
    "/orders/",
    "/purchase-orders/",
    "/transfers/new/",
    "/counts/",
    "/adjust/",
    "/returns/",
    "/api/docs/",
}
MANAGER_PAGES = STAFF_PAGES | {"/dashboard/", "/suggestions/", "/forecasts/runs/"}
EXPECTED_NAVIGATION = {
    "staff": STAFF_PAGES,
    "manager": MANAGER_PAGES,
    "admin": MANAGER_PAGES | {"/admin/"},
}
DASHBOARD_DEADLINE_SECONDS = 60


class Links(HTMLParser):
    """The navigation's links, every link, and the static files a page uses."""

    def __init__(self):
        super().__init__()
        self.nav, self.links, self.assets, self.csrf = [], [], [], None
        self._in_nav = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav":
            self._in_nav += 1
        elif tag == "a" and attrs.get("href"):
            (self.nav if self._in_nav else self.links).append(attrs["href"])
        elif tag in ("script", "img") and attrs.get("src"):
            self.assets.append(attrs["src"])
        elif tag == "link" and attrs.get("href"):
            self.assets.append(attrs["href"])
        elif tag == "input" and attrs.get("name") == "csrfmiddlewaretoken":
            self.csrf = attrs.get("value")

    def handle_endtag(self, tag):
        if tag == "nav" and self._in_nav:
            self._in_nav -= 1


def parse(body: bytes) -> Links:
    links = Links()
    links.feed(body.decode("utf-8", "replace"))
    return links


class Session:
    """One browser: its cookies (Secure ones too: the proxy speaks HTTPS to it)."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.origin = f"https://{parts.hostname}:{parts.port}"
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        sent = {**PROXY_HEADERS, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        elapsed = (time.monotonic() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response, data, elapsed

    def login(self, username: str, password: str) -> tuple[int, str, float]:
        response, body, _ = self.request("GET", "/login/")
        token = parse(body).csrf
        if response.status != 200 or not token or "csrftoken" not in self.cookies:
            return response.status, "no login form with a CSRF token", 0.0
        form = urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        )
        response, _, elapsed = self.request(
            "POST",
            "/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": f"{self.origin}/login/",
            },
        )
        location = response.headers.get("Location", "")
        if response.status != 302 or "sessionid" not in self.cookies:
            return response.status, "login refused", elapsed
        return response.status, f"-> {location}", elapsed


class Report:
    def __init__(self):
        self.rows: list[tuple[str, str, int | str, float, str]] = []

    def add(self, who, path, status, ms, note="", ok=None):
        ok = status == 200 if ok is None else ok
        note = note if ok else f"FAIL {note}".strip()
        self.rows.append((who, path, status, ms, note))

    @property
    def failures(self) -> int:
        return sum(1 for row in self.rows if row[4].startswith("FAIL"))

    def print(self):
        width = max(len(row[1]) for row in self.rows)
        print(f"{'who':<9} {'path':<{width}} {'status':>6} {'ms':>7}  note")
        for who, path, status, ms, note in self.rows:
            print(f"{who:<9} {path:<{width}} {status!s:>6} {ms:>7.0f}  {note}")


def local(href: str, page: str) -> str | None:
    """The path of a same-site link, or None for another site, a fragment, mailto."""
    url = urljoin(page, href)
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or parts.netloc:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path or None


def fetch(session, report, who, path, assets=None):
    response, body, ms = session.request("GET", path)
    note = ""
    if response.status in (301, 302):
        note = f"-> {response.headers.get('Location')}"
    report.add(who, path, response.status, ms, note)
    html = response.headers.get("Content-Type", "").startswith("text/html")
    links = parse(body) if html else Links()
    if assets is not None:
        assets.update(filter(None, (local(src, path) for src in links.assets)))
    return response, body, links


def walk_role(base, report, who, username, password, assets):
    session = Session(base)
    status, note, ms = session.login(username, password)
    report.add(who, "POST /login/", status, ms, note, ok=status == 302)
    if status != 302:
        return
    _, _, home = fetch(session, report, who, "/", assets)
    navigation = {path for path in (local(h, "/") for h in home.nav) if path}
    # The language switch and logout are forms; every <a> in the bar is a page.
    missing = EXPECTED_NAVIGATION[who] - navigation
    if missing:
        report.add(who, "navigation", "-", 0, f"missing {sorted(missing)}", ok=False)
    pages = {}
    for path in sorted(navigation - {"/"}):
        if path == "/dashboard/":
            dashboard(session, report, who, assets)
        else:
            pages[path] = fetch(session, report, who, path, assets)[2]
    products = pages.get("/products/") or fetch(session, report, who, "/products/")[2]
    detail = next(
        (
            path
            for path in (local(h, "/products/") for h in products.links)
            if path and re.match(r"^/products/[^?]+/$", path)
        ),
        None,
    )
    if detail is None:
        report.add(who, "/products/<sku>/", "-", 0, "no product linked", ok=False)
    else:
        fetch(session, report, who, detail, assets)


def dashboard(session, report, who, assets):
    """The first visit queues the figures on the worker; the page then shows them."""
    deadline = time.monotonic() + DASHBOARD_DEADLINE_SECONDS
    while True:
        response, body, ms = session.request("GET", "/dashboard/")
        computing = b'id="computing"' in body
        if response.status != 200 or not computing or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    note = "still computing: is the worker up?" if computing else "figures shown"
    report.add(who, "/dashboard/", response.status, ms, note, ok=not computing)
    assets.update(filter(None, (local(s, "/dashboard/") for s in parse(body).assets)))


def main(base: str, seed_output: str) -> int:
    with open(seed_output, encoding="utf-8") as seed:
        text = seed.read()
    logins = dict(
        (m.group(1), m.group(2))
        for m in re.finditer(r"^\s+(staff|manager|admin)\s+(\S+)\s", text, re.M)
    )
    shop_key = re.search(r"^\s+homegoods\s+(sw_\S+)", text, re.M)
    report = Report()

    # Every static file any page links, asked for once at the end.
    assets: set[str] = set()
    anonymous = Session(base)
    for path in ("/login/", "/admin/login/", "/api/docs/", "/api/schema/"):
        fetch(anonymous, report, "anonymous", path, assets)
    # Without the proxy's header: a redirect to HTTPS, not a page over plain HTTP.
    plain = http.client.HTTPConnection(anonymous.host, anonymous.port, timeout=30)
    plain.request("GET", "/login/")
    answer = plain.getresponse()
    answer.read()
    plain.close()
    location = answer.headers.get("Location", "")
    report.add(
        "anonymous",
        "/login/ (plain HTTP)",
        answer.status,
        0,
        f"-> {location}",
        ok=answer.status == 301 and location.startswith("https://"),
    )

    for who in ("staff", "manager", "admin"):
        if who not in logins:
            report.add(who, "login", "-", 0, "no login in the seed output", ok=False)
            continue
        walk_role(base, report, who, who, logins[who], assets)

    if shop_key is None:
        report.add("shop", "API key", "-", 0, "no key in the seed output", ok=False)
    else:
        shop = Session(base)
        for path in ("/api/v1/warehouses/", "/api/v1/stock-levels/"):
            response, _, ms = shop.request(
                "GET", path, headers={"Authorization": f"Bearer {shop_key.group(1)}"}
            )
            report.add("shop", path, response.status, ms)

    for asset in sorted(assets):
        fetch(anonymous, report, "static", asset)
    if not any(a.startswith("/static/vendor/chartjs/") for a in assets):
        report.add("static", "Chart.js", "-", 0, "no page links it", ok=False)

    report.print()
    print(f"\n{len(report.rows)} checks, {report.failures} failures")
    return 1 if report.failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
