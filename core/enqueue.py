"""Queueing a task from a web request: a broker that is away is not a 500."""

import logging

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> bool:
    """Send `task(*args, **kwargs)` to the workers from a web request; False
    (logged with its traceback) when it could not be queued, e.g. while Redis
    is away, so the page can say so instead of answering 500. Whatever the
    broker or the result store raised, nothing was queued."""
    try:
        task.delay(*args, **kwargs)
    except Exception:
        logger.exception("Could not queue %s", task.name)
        return False
    return True
