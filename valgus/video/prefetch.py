"""Run a producer in a background thread with a bounded queue.

Why: decoding, inference and encoding each spend most of their time in C code
that releases the GIL, so overlapping them on threads uses the second core that
a plain loop leaves idle (design.md section 5). The queue is bounded so memory
stays flat on long clips, and an exception in the producer re-raises in the
consumer instead of leaving it waiting forever.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
_DONE = object()


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetch(items: Iterable[T], *, maxsize: int = 8, name: str = "prefetch") -> Iterator[T]:
    """Iterate ``items`` in a background thread, at most ``maxsize`` items ahead.

    Closing the returned generator early (``break``, an exception in the
    consumer) stops the producer at its next item.
    """
    if maxsize < 1:
        raise ValueError(f"maxsize must be >= 1, got {maxsize}")
    buffer: queue.Queue = queue.Queue(maxsize=maxsize)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as error:  # handed to the consumer, never swallowed
            put(_Failure(error))
            return
        put(_DONE)

    worker = threading.Thread(target=produce, name=name, daemon=True)
    worker.start()
    try:
        while True:
            item = buffer.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)


class BackgroundConsumer(Generic[T]):
    """Feed items to ``consume`` on a background thread through a bounded queue.

    Used for encoding: the caller draws frame n+1 while the encoder compresses
    frame n. ``close()`` waits for the queue to drain and re-raises the first
    error of ``consume``; ``submit`` raises it as soon as it is known.
    """

    def __init__(self, consume: Callable[[T], None], *, maxsize: int = 8, name: str = "consumer"):
        self._consume = consume
        self._queue: queue.Queue = queue.Queue(maxsize=maxsize)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if self._error is None:
                try:
                    self._consume(item)
                except BaseException as error:  # re-raised in the caller's thread
                    self._error = error

    def submit(self, item: T) -> None:
        """Queue ``item``; raise the consumer's error if it has failed."""
        if self._error is not None:
            raise self._error
        self._queue.put(item)

    def close(self) -> None:
        """Finish the queued items; raise the consumer's error if any."""
        self._queue.put(_DONE)
        self._thread.join()
        if self._error is not None:
            raise self._error
