"""A preview's background writing pauses while a build runs, and never holds a build up."""

from __future__ import annotations

import threading
import time

import pytest
from mkdocs.exceptions import PluginError
from postmortems.site.background import ITEMS_BETWEEN_PAUSES, Background


def consuming(background: Background, items: range, seen: list[int]) -> threading.Event:
    """A job that takes ``items`` through ``background.paced``; the event is set once it has
    taken the first."""
    first = threading.Event()

    def job() -> None:
        for item in background.paced(items):
            seen.append(item)
            first.set()

    background.start([job])
    return first


def test_the_writing_waits_while_a_build_runs_and_goes_on_after_it() -> None:
    background, seen = Background(), []
    background.build_started()
    first = consuming(background, range(3 * ITEMS_BETWEEN_PAUSES), seen)
    assert not first.wait(timeout=0.3)  # the rebuild has the process to itself
    background.build_ended()
    background.join()
    assert seen == list(range(3 * ITEMS_BETWEEN_PAUSES))


def test_a_build_that_starts_mid_way_stops_the_writing_at_its_next_pause() -> None:
    background, seen = Background(), []
    release = threading.Event()

    def items() -> range:
        release.wait(timeout=10)
        return range(3 * ITEMS_BETWEEN_PAUSES)

    def job() -> None:
        for item in background.paced(items()):
            seen.append(item)

    background.start([job])
    background.build_started()
    release.set()
    time.sleep(0.3)
    assert seen == []  # paused at its first item
    background.build_ended()
    background.join()
    assert len(seen) == 3 * ITEMS_BETWEEN_PAUSES


def test_waiting_for_the_writing_during_a_build_lets_it_finish() -> None:
    """A build that needs the exports written first (none in the site yet) waits for the
    earlier writing: that writing must not wait for the build in turn."""
    background, seen = Background(), []
    background.build_started()
    consuming(background, range(ITEMS_BETWEEN_PAUSES + 1), seen)
    finished = threading.Thread(target=background.join, daemon=True)
    finished.start()
    finished.join(timeout=10)
    assert not finished.is_alive() and len(seen) == ITEMS_BETWEEN_PAUSES + 1


def test_a_failed_job_is_logged_and_the_next_one_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    background, ran = Background(), []

    def failing() -> None:
        ran.append("failing")
        raise PluginError("postmortems: cannot write incidents.json: disk full")

    background.start([failing, lambda: ran.append("after")])
    background.join()
    assert ran == ["failing", "after"] and "disk full" in caplog.text


def test_a_later_build_skips_what_it_replaces_but_keeps_what_the_earlier_one_rendered() -> None:
    """Three saves in a row while the first one's writing is under way: the second's search
    index and exports are written again by the third, but what the second rendered goes into the
    store all the same."""
    background, ran = Background(), []
    started, release = threading.Event(), threading.Event()
    background.start([lambda: (started.set(), release.wait(timeout=10))])
    started.wait(timeout=10)
    background.start([lambda: ran.append("exports 2")], kept=lambda: ran.append("store 2"))
    background.start([lambda: ran.append("exports 3")], kept=lambda: ran.append("store 3"))
    assert background.keeping  # the next rebuild writes its texts itself
    release.set()
    background.join()
    assert ran == ["store 2", "store 3", "exports 3"] and not background.keeping


def test_stopping_skips_every_job_not_started() -> None:
    background, ran = Background(), []
    started, release = threading.Event(), threading.Event()
    background.start([lambda: (started.set(), release.wait(timeout=10))])
    started.wait(timeout=10)
    background.start([lambda: ran.append("exports")], kept=lambda: ran.append("store"))
    threading.Timer(0.2, release.set).start()
    background.stop()
    assert ran == [] and not background.keeping


def test_a_job_between_builds_waits_for_the_build_and_is_skipped_once_another_starts() -> None:
    """The garbage of a build is collected between builds: not while the next one runs (a
    build that waits for the writing lets it finish, but not this), nor as the preview stops."""
    background, ran = Background(), []
    background.build_started()
    first = background.between_builds(lambda: ran.append("first"))
    background.start([first])
    time.sleep(0.2)
    assert ran == []  # the build runs
    background.build_ended()
    background.join()
    assert ran == ["first"]

    background.build_started()
    second = background.between_builds(lambda: ran.append("second"))
    background.build_ended()
    background.build_started()  # the next save, before the writer got to it
    background.start([second])
    background.join()  # as a build that needs its exports written does
    assert ran == ["first"]

    background.build_started()
    stopped = background.between_builds(lambda: ran.append("stopped"))
    background.start([stopped])
    time.sleep(0.2)  # waiting for the build to end
    background.stop()  # Ctrl-C
    assert ran == ["first"]
