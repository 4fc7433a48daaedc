"""Background stages: errors surface in the caller, early exits stop the producer, nothing hangs."""

from __future__ import annotations

import threading
import time

import pytest

from valgus.video.prefetch import BackgroundConsumer, prefetch


def test_prefetch_yields_everything_in_order():
    assert list(prefetch(range(100), maxsize=3)) == list(range(100))


def test_producer_error_is_raised_in_the_consumer():
    def broken():
        yield 1
        yield 2
        raise OSError("disk gone")

    seen = []
    with pytest.raises(OSError, match="disk gone"):
        for item in prefetch(broken(), maxsize=2):
            seen.append(item)
    assert seen == [1, 2]


def test_consumer_leaving_early_stops_the_producer():
    produced = []

    def endless():
        i = 0
        while True:
            produced.append(i)
            yield i
            i += 1

    threads_before = threading.active_count()
    for item in prefetch(endless(), maxsize=4):
        if item == 10:
            break
    time.sleep(0.3)
    assert threading.active_count() == threads_before
    assert len(produced) <= 10 + 4 + 2  # bounded: never ran far ahead


def test_background_consumer_reports_its_error_on_close():
    seen = []

    def consume(item):
        if item == 3:
            raise ValueError("encoder failed at 3")
        seen.append(item)

    consumer = BackgroundConsumer(consume, maxsize=2)
    with pytest.raises(ValueError, match="encoder failed at 3"):
        for item in range(50):
            consumer.submit(item)
        consumer.close()
    assert seen == [0, 1, 2]


@pytest.mark.parametrize("maxsize", [0, -1])
def test_prefetch_rejects_a_useless_queue(maxsize):
    with pytest.raises(ValueError, match="maxsize must be >= 1"):
        next(prefetch([1], maxsize=maxsize))
