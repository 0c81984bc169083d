import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from tests import factories


def pytest_configure(config):
    """Under pytest-xdist with REDIS_URL, each test process caches in its own
    Redis database (gw0 in REDIS_URL's, gwN four below it, modulo 16): the
    dashboard tests empty the cache around themselves (FLUSHDB), which on one
    shared database emptied the other process's cache in the middle of a test
    (seen in CI: a dashboard snapshot gone between the request that stored it
    and the read that checked it). The broker stays on REDIS_URL."""
    from urllib.parse import urlsplit, urlunsplit

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or not os.environ.get("REDIS_URL"):
        return
    from django.conf import settings

    n = int(worker[2:] or 0)
    cache = settings.CACHES["default"]
    url = urlsplit(cache.get("LOCATION") or "")
    if n == 0 or url.scheme not in ("redis", "rediss"):
        return
    db = int(url.path.strip("/") or 0)
    cache["LOCATION"] = urlunsplit(url._replace(path=f"/{(db - 4 * n) % 16}"))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The SQLite test database is a file (config.settings: WAL, as under `make
    demo`), one per test process. Its folder exists, and the files of test
    processes no longer running (an interrupted run's, -wal and -shm
    included: SQLite would replay a stale -wal into a new database) are
    removed."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        name = Path(database["TEST"]["NAME"])
        name.parent.mkdir(parents=True, exist_ok=True)
        for path in name.parent.glob("test-db-*.sqlite3*"):
            pid = path.name.removeprefix("test-db-").split(".")[0]
            if pid.isdigit() and not _process_alive(int(pid)):
                path.unlink(missing_ok=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher():
    # Real hashing costs ~0.2 s per user; the tests create hundreds of users.
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()


@pytest.fixture(autouse=True)
def eager(request, settings, tmp_path_factory):
    """Tasks run in-process, as on the embedded default, also under REDIS_URL;
    a test marked `celery_worker` keeps the real broker and worker instead."""
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    from config.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Eager work stays in the request, so a test sees its effect at once; the
    # tests of the background thread switch it on and wait for the thread.
    settings.STOCKWISE_INLINE_WORK_IN_THREAD = False
    # Files a test writes (exports) go to its own folder, not the checkout's.
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@contextmanager
def tasks_not_eager(settings):
    """Within it, Celery queues tasks for a worker (the production path) instead
    of running them in-process; the eager mode of the test comes back after."""
    from config.celery import app

    previous = settings.CELERY_TASK_ALWAYS_EAGER, app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = app.conf.task_always_eager = False
    try:
        yield
    finally:
        settings.CELERY_TASK_ALWAYS_EAGER, app.conf.task_always_eager = previous


class SharedRows:
    """Rows that consecutive tests asking for the same fixture share, made once.

    `open(build)` (from a module-scoped fixture, so before pytest-django's
    per-test transaction) makes them inside an outer transaction; each test then
    runs in pytest-django's savepoints within it, so what a test writes is
    rolled back and the next test sees the rows as made. The outer transaction
    is rolled back as soon as the next test does not ask for `fixture` (see
    pytest_runtest_teardown), so tests in between, transactional ones included,
    never run inside it; a later test that asks again gets rows of its own.
    """

    _open: list["SharedRows"] = []

    def __init__(self, fixture: str, blocker) -> None:
        self.fixture = fixture
        self._blocker = blocker
        self._atomic = None
        self.value = None

    @property
    def is_open(self) -> bool:
        return self._atomic is not None

    def open(self, build) -> None:
        with self._blocker.unblock():
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            SharedRows._open.append(self)
            try:
                self.value = build()
            except BaseException:
                self.close()
                raise

    def close(self) -> None:
        if self._atomic is None:
            return
        with self._blocker.unblock():
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
        self._atomic, self.value = None, None
        SharedRows._open.remove(self)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield  # the test's own transaction is rolled back by now
    wanted = set(getattr(nextitem, "fixturenames", ()))
    for rows in list(SharedRows._open):
        if rows.fixture not in wanted:
            rows.close()


# What makes a test's outcome depend on the services behind the settings: the
# database (any of these fixtures) or Redis (the modules that name it).
_SERVICE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "live_server",
}
_REDIS_WORDS = ("redis", "REDIS")


def pytest_addoption(parser):
    parser.addoption(
        "--services-only",
        action="store_true",
        help=(
            "run only the tests that touch the database or Redis: the second CI "
            "run, on PostgreSQL + Redis, skips what its services cannot change "
            "(the engine, the policy, pure functions), already run on SQLite"
        ),
    )


def _touches_services(item) -> bool:
    if item.get_closest_marker("django_db") or _SERVICE_FIXTURES & set(
        getattr(item, "fixturenames", ())
    ):
        return True
    source = Path(getattr(item.module, "__file__", "") or "")
    try:
        text = source.read_text(encoding="utf-8")
    except OSError:
        return True
    return any(word in text for word in _REDIS_WORDS)


def pytest_collection_modifyitems(config, items):
    if config.getoption("--services-only"):
        kept = [item for item in items if _touches_services(item)]
        dropped = [item for item in items if not _touches_services(item)]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept
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


def worker_database_url() -> str:
    """The URL of the test database, for a worker process started by a test."""
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}"
        f"/{db['NAME']}"
    )


def solo_worker_argv(name: str) -> list[str]:
    """A `celery worker` taking one task at a time, named `name`."""
    import sys

    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "-n",
        name,
    ]


def celery_workers_idle(timeout: float = 60.0) -> bool:
    """True once every worker answers with nothing active or reserved twice
    in a row, half a second apart (a solo worker busy with a task does not
    answer at all). The follow-up tasks a test's work queues (alerts,
    webhooks) may still be running when its assertions pass."""
    import time

    from config.celery import app

    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        inspect = app.control.inspect(timeout=1.0)
        active, reserved = inspect.active(), inspect.reserved()
        idle = (
            bool(active)
            and not any(active.values())
            and not any((reserved or {}).values())
        )
        quiet = quiet + 1 if idle else 0
        if quiet >= 2:
            return True
        time.sleep(0.5)
    return False


@pytest.fixture(autouse=True)
def _celery_worker_idle_before_flush(request):
    """A real-worker test's database is emptied (TRUNCATE) after it: first let
    the worker finish what the test queued. A task still reading while the
    tables are truncated deadlocks with the flush (CI: "deadlock detected",
    "couldn't be flushed", and the next test found the last one's rows)."""
    if not request.node.get_closest_marker("celery_worker"):
        yield
        return
    # set up after the database fixture, so torn down before its flush
    request.getfixturevalue("transactional_db")
    yield
    if "celery_worker_process" in request.fixturenames:
        assert celery_workers_idle(), "the Celery worker still busy after 60 s"


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real `celery worker` process on the test database and REDIS_URL."""
    import signal
    import subprocess
    import time

    from config.celery import app

    with django_db_blocker.unblock():
        url = worker_database_url()
    env = {**os.environ, "DATABASE_URL": url, "CONN_MAX_AGE": "0"}
    worker = subprocess.Popen(solo_worker_argv(f"test-{os.getpid()}@%h"), env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0)
        if replies:
            break
        if worker.poll() is not None:
            raise RuntimeError("The Celery worker exited during start-up.")
    else:
        worker.kill()
        raise RuntimeError("The Celery worker did not answer a ping within 60 s.")
    yield worker
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
