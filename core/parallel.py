"""Independent reads side by side: a worker's long read-only computation (the
dashboard's snapshot) sends its queries over several connections at once, so
the database works on them in parallel instead of one after another.

Only on PostgreSQL and only outside a transaction: the other connections
could not see what the caller's open transaction has written (a test's rows,
a service's own writes), and SQLite serves one statement at a time per
database file anyway. Elsewhere the work runs in the caller, in order, with
the same results.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import connection, connections


def reads_run_in_parallel() -> bool:
    """Whether ParallelReads sends its work to other threads here."""
    return (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and settings.STOCKWISE_PARALLEL_READ_THREADS > 1
    )


class ParallelReads:
    """``with ParallelReads() as reads: a = reads.submit(f, x); ...;
    a.result()``: each submitted call runs in a thread of its own connection
    (closed when the call ends), or at once in the caller where parallel reads
    do not apply (reads_run_in_parallel). A call's exception comes out of its
    ``result()``; leaving the block waits for every call."""

    def __init__(self, threads: int | None = None):
        self.threads = threads or settings.STOCKWISE_PARALLEL_READ_THREADS
        self._pool: ThreadPoolExecutor | None = None

    def __enter__(self) -> ParallelReads:
        if reads_run_in_parallel():
            self._pool = ThreadPoolExecutor(
                max_workers=self.threads, thread_name_prefix="stockwise-read"
            )
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if self._pool is not None:
            return self._pool.submit(_on_own_connection, fn, args, kwargs)
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:
            future.set_exception(error)
        return future


def _on_own_connection(fn, args, kwargs) -> Any:
    try:
        return fn(*args, **kwargs)
    finally:
        connections.close_all()  # this thread's connections only
