"""The background work returns' services ask for, without importing the tasks.

returns/tasks.py imports the services, so the services cannot import it back:
they call the jobs here, and tasks.py plugs a runner into each when it is
imported. Celery's autodiscovery imports it in a worker, ReturnsConfig.ready()
in every process that loads Django.
"""

from collections.abc import Callable


class Job:
    """One kind of background work. Calling the job hands its arguments to the
    runner tasks.py plugged in; before that it raises rather than lose the work."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._runner: Callable[..., object] | None = None

    def plug(self, runner: Callable[..., object]) -> None:
        self._runner = runner

    def __call__(self, *args) -> None:
        if self._runner is None:
            raise RuntimeError(f"Nothing runs {self.name!r}: import returns.tasks.")
        self._runner(*args)


# (request_id) A return was opened: classify it once it commits.
classify_new_return = Job("classify a new return")
# (request_id) Queue a classification now; raises when the broker refuses it.
classify_queue = Job("queue a classification")
# () Queue a retrain of the classifier now.
retrain_queue = Job("queue a classifier retrain")
