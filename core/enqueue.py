"""Queueing a task: a broker that is away is not a 500, and in the embedded
default (eager Celery) long work still runs off the web request.

`runs_inline()` says whether queued work runs in this process (eager Celery).
There `enqueue` hands the task to a background thread once the caller's
transaction commits, so the page answers at once and polls for progress, as
it does against a real worker. `STOCKWISE_INLINE_WORK_IN_THREAD = False`
keeps eager work inside the caller (the test suite's default, so a test sees
the effect right after the request; tests of the thread wait for it with
`background_work_wait`).
"""

import logging
import sqlite3
import threading
import time

from django.conf import settings
from django.db import OperationalError, close_old_connections, connections, transaction

logger = logging.getLogger(__name__)

_threads: list[threading.Thread] = []
_threads_lock = threading.Lock()


def runs_inline() -> bool:
    """Whether queued work runs at once in the caller's process (the embedded
    default: eager Celery). There a countdown is ignored, so a caller that
    delays or coalesces work does it another way."""
    return bool(settings.CELERY_TASK_ALWAYS_EAGER)


def enqueue(task, *args, **kwargs) -> bool:
    """Send `task(*args, **kwargs)` to the workers from a web request; False
    (logged with its traceback) when it could not be queued, e.g. while Redis
    is away, so the page can say so instead of answering 500. Whatever the
    broker or the result store raised, nothing was queued.

    Eager (embedded) with STOCKWISE_INLINE_WORK_IN_THREAD: the task runs in a
    background thread after the current transaction commits (at once outside
    one); True, since nothing can fail to queue."""
    if runs_inline() and settings.STOCKWISE_INLINE_WORK_IN_THREAD:
        transaction.on_commit(lambda: _thread_start(task, args, kwargs))
        return True
    try:
        task.delay(*args, **kwargs)
    except Exception:
        logger.exception("Could not queue %s", task.name)
        return False
    return True


def _thread_start(task, args, kwargs) -> None:
    thread = threading.Thread(
        target=_thread_run,
        args=(task, args, kwargs),
        name=f"stockwise-work-{task.name}",
        daemon=True,
    )
    with _threads_lock:
        _threads[:] = [t for t in _threads if t.is_alive()]
        _threads.append(thread)
    thread.start()


# SQLite has one writer: a background task that meets a table another thread
# holds ("database table is locked" / "database is locked") is run again, as a
# worker's retry would (the tasks are safe to run twice).
LOCKED_ATTEMPTS = 6


def _locked(error: Exception) -> bool:
    return isinstance(error, OperationalError | sqlite3.OperationalError) and (
        "locked" in str(error)
    )


def _thread_run(task, args, kwargs) -> None:
    """Run the task as a worker would; its failure is logged and recorded by
    the task itself (a run marked failed), never raised into the web thread."""
    close_old_connections()
    try:
        for attempt in range(LOCKED_ATTEMPTS):
            try:
                task.apply(args=args, kwargs=kwargs, throw=True)
                return
            except Exception as error:
                if not _locked(error) or attempt == LOCKED_ATTEMPTS - 1:
                    raise
                connections.close_all()
                time.sleep(0.2 * 2**attempt)
    except Exception:
        logger.exception("Background %s failed", task.name)
    finally:
        connections.close_all()


def background_work_wait(timeout: float = 60.0) -> bool:
    """Wait for the background work started so far; True when all finished
    within `timeout` seconds (for tests and management commands)."""
    with _threads_lock:
        pending = list(_threads)
    for thread in pending:
        thread.join(timeout)
    return not any(thread.is_alive() for thread in pending)
