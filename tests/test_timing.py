"""The parts of a page's run (`csdata.ui.timing`): counted only while the benchmark counts, each
moment charged to one part only."""

from __future__ import annotations

import time

from csdata.ui import timing


def test_parts_are_counted_only_while_counting_and_never_twice():
    with timing.timed("requests"):  # not counting: nothing is kept anywhere
        time.sleep(0.01)
    started = time.perf_counter()
    with timing.counting() as parts:
        with timing.timed("requests"):
            time.sleep(0.05)
            with timing.timed("drawing"):  # inside requests: drawing's own, not requests' too
                time.sleep(0.05)
            time.sleep(0.02)
        time.sleep(0.03)  # in no part
    total = time.perf_counter() - started
    assert set(parts) == {"lookups", "requests", "before", "drawing"}
    assert parts["lookups"] == parts["before"] == 0
    assert 0.07 <= parts["requests"] < 0.07 + 0.03  # 0.05 + 0.02 slept, not the 0.05 of drawing
    assert 0.05 <= parts["drawing"] < 0.05 + 0.03
    assert sum(parts.values()) <= total - 0.03
    with timing.counting() as again:  # a new count starts from nothing
        pass
    assert again == dict.fromkeys(timing.PARTS, 0.0)


def test_a_timed_function_counts_each_call():
    @timing.timed_calls("lookups")
    def look(seconds: float) -> str:
        time.sleep(seconds)
        return "found"

    with timing.counting() as parts:
        assert look(0.02) == "found" and look(0.02) == "found"
    assert 0.04 <= parts["lookups"] < 0.04 + 0.03
    assert look(0) == "found"  # not counting: the function as it was
