"""Real Celery workers a test may SIGKILL and start again, and a slow receiver.

The worker is prefork with one pool process: killing that process exercises
`reject_on_worker_lost` (the main process re-queues the task at once); killing
the whole process group is a machine that died, whose task Redis keeps unacked
until the visibility timeout, so the sweeper and the relay must recover it.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.db import connection

from notifications.services.signing import EVENT_ID_HEADER

# Short stale limit for the sweeper, so the module runs in a few minutes. Safe
# here: with one pool process no sweep runs while a chunk is being fitted.
STALE_SECONDS = 3

# The worker posts to the test receiver on 127.0.0.1.
os.environ["STOCKWISE_WEBHOOKS_ALLOW_PRIVATE"] = "1"


@pytest.fixture(autouse=True)
def allow_private_webhooks(settings):
    settings.STOCKWISE_WEBHOOKS_ALLOW_PRIVATE = True


def wait_for(condition, timeout: float, what: str, every=None, interval=0.2):
    """Poll until condition() is truthy; `every` runs at each poll (a beat tick)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if every:
            every()
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


class Worker:
    """One `celery worker` process group at a time, on the test database."""

    def __init__(self, env: dict, log_dir: Path, *, queue: str = "", label="faults"):
        """``queue``: the one queue it consumes (-Q); every queue by default.
        ``label`` starts its node name, so two workers of a test differ."""
        self.env = env
        self.log_dir = log_dir
        self.queue = queue
        self.label = label
        self.process: subprocess.Popen | None = None
        self.name = ""
        self.starts = 0

    def start(self) -> "Worker":
        from config.celery import app

        self.starts += 1
        self.name = f"{self.label}-{os.getpid()}-{self.starts}@localhost"
        self.log = self.log_dir / f"worker-{self.starts}.log"
        queues = ["-Q", self.queue] if self.queue else []
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER_MAIN,
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                self.name,
                *queues,
            ],
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, to kill it whole
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if app.control.ping(destination=[self.name], timeout=1.0):
                break
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited on start:\n{self.tail()}")
        else:
            raise RuntimeError(f"worker did not answer within 90 s:\n{self.tail()}")
        wait_for(lambda: self.pool_pid(), 30, "the pool process")
        return self

    def tasks(self) -> list[str] | None:
        """The names of the tasks it holds (running or reserved); None if it
        did not answer."""
        from config.celery import app

        inspect = app.control.inspect(destination=[self.name], timeout=1.0)
        active, reserved = inspect.active(), inspect.reserved()
        if active is None or reserved is None:
            return None
        return [
            task["name"]
            for found in (active, reserved)
            for tasks in found.values()
            for task in tasks
        ]

    def idle(self) -> bool:
        return self.tasks() == []

    def pool_pid(self) -> int | None:
        children = _children(self.process.pid)
        return children[0] if children else None

    def kill_pool_process(self) -> int:
        """SIGKILL the process running the task; the main process lives on."""
        pid = self.pool_pid()
        os.kill(pid, signal.SIGKILL)  # billiard starts a replacement by itself
        return pid

    def kill(self) -> None:
        """SIGKILL the whole worker: main process and pool, no goodbye."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.kill()  # nothing to finish: the tests are over

    def restart(self) -> "Worker":
        if self.process.poll() is None:
            self.kill()
        return self.start()

    def tail(self, lines: int = 60) -> str:
        text = "".join(
            (self.log_dir / f"worker-{n}.log").read_text(errors="replace")
            for n in range(1, self.starts + 1)
        )
        return "\n".join(text.splitlines()[-lines:])

    def log_text(self) -> str:
        return "".join(
            (self.log_dir / f"worker-{n}.log").read_text(errors="replace")
            for n in range(1, self.starts + 1)
        )


def _broker_url() -> str:
    """REDIS_URL's own database (FAULTS_REDIS_URL overrides): a run may use only
    the database it was given. Its keys carry KEY_PREFIX, so other workers on
    that database (the session's solo worker, anyone else's run) never take the
    tasks these tests kill, nor hand theirs to ours."""
    return os.environ.get("FAULTS_REDIS_URL") or os.environ["REDIS_URL"]


# Every broker key (queues, unacked set, control mailboxes) of this run.
KEY_PREFIX = f"stockwise-faults-{os.getpid()}:"
# The killable worker: `celery worker` with the same key prefix (no setting
# carries it, so it is applied before the worker starts).
WORKER_MAIN = (
    "import os, sys\n"
    "from config.celery import app\n"
    "app.conf.broker_transport_options = {\n"
    "    **app.conf.broker_transport_options,\n"
    "    'global_keyprefix': os.environ['FAULTS_KEY_PREFIX'],\n"
    "}\n"
    "app.worker_main(sys.argv[1:])\n"
)


def _repoint(app) -> None:
    # Celery re-reads broker_url and result_backend (CELERY_BROKER_URL and
    # CELERY_RESULT_BACKEND win over the settings) only for new connections:
    # drop the pools as its own after-fork hook does, and the cached backend.
    app._after_fork()
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


def _empty(app) -> None:
    """No task left behind: a SIGKILLed worker's task stays in Redis' unacked
    set and would come back after the visibility timeout into a later run."""
    app.control.purge()
    with app.connection_for_write() as conn:
        conn.default_channel.client.delete("unacked", "unacked_index")


def _forget(url: str) -> None:
    """Drop what kombu leaves under this run's prefix (bindings, mailboxes)."""
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"{KEY_PREFIX}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(scope="module")
def faults_broker(django_db_setup):
    """This process and the killable workers use their own broker database."""
    from config.celery import app

    url = _broker_url()
    keys = ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")
    saved = {key: os.environ.get(key) for key in keys}
    saved_options = app.conf.broker_transport_options
    os.environ["CELERY_BROKER_URL"] = os.environ["CELERY_RESULT_BACKEND"] = url
    app.conf.broker_transport_options = {
        **saved_options,
        "global_keyprefix": KEY_PREFIX,
    }
    _repoint(app)
    _empty(app)
    yield url
    _empty(app)
    _forget(url)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    app.conf.broker_transport_options = saved_options
    _repoint(app)


@pytest.fixture(scope="module")
def _worker(faults_broker, django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}"
        f"/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": faults_broker,
        "CELERY_RESULT_BACKEND": faults_broker,
        "FAULTS_KEY_PREFIX": KEY_PREFIX,
        "STOCKWISE_FORECAST_STALE_SECONDS": str(STALE_SECONDS),
        "STOCKWISE_WEBHOOKS_ALLOW_PRIVATE": "1",
    }
    handle = Worker(env, tmp_path_factory.mktemp("faults-worker"))
    yield handle
    handle.stop()


@pytest.fixture
def worker(_worker):
    """The killable worker, running, with an empty queue. One process serves the
    module (starting one costs seconds); a test that kills it starts it again."""
    from config.celery import app

    app.control.purge()
    if _worker.process is None or _worker.process.poll() is not None:
        _worker.start()
    return _worker


@dataclass
class SlowReceiver:
    """Records every request on arrival; holds the first `hold` answers for
    `seconds` (a slow shop), then answers 200."""

    hold: int = 1
    seconds: float = 4.0
    requests: list[tuple[str, float]] = field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.requests.append(
                        (self.headers.get(EVENT_ID_HEADER, ""), time.monotonic())
                    )
                    held = len(receiver.requests) <= receiver.hold
                receiver.arrived.set()
                if held:
                    time.sleep(receiver.seconds)
                try:
                    self.send_response(200)
                    self.end_headers()
                except OSError:
                    pass  # the sender was killed meanwhile

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a killed sender's broken connection is the point

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def event_ids(self) -> list[str]:
        with self._lock:
            return [event_id for event_id, _ in self.requests]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slow_receiver():
    server = SlowReceiver()
    yield server
    server.stop()
