"""Tasks for the tests of the task queue: importable by path in a worker process too."""

from django.core.cache import cache
from django_tasks import task


@task()
def fail(reason: str) -> None:
    """Fails every time, with ``reason`` as its error."""
    raise ValueError(reason)


@task()
def fail_once(key: str) -> str:
    """Fails the first time it runs in a process (for ``key``), then succeeds."""
    if cache.add(key, True):
        raise ConnectionError("the receiver was down")
    return "sent"


@task()
def add(a: int, b: int) -> int:
    return a + b


@task()
def hang_the_first_time(marker: str) -> str:
    """Hangs (as if its worker were killed in the middle) the first time it runs
    anywhere, as long as the file ``marker`` does not exist; then succeeds."""
    import pathlib
    import time

    path = pathlib.Path(marker)
    if not path.exists():
        path.touch()
        time.sleep(600)
    return "done"
