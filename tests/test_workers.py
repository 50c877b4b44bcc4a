"""Work in forked processes (gazette.workers): its result, its error, its loss.

The search index is made in one while the build process inspects. A worker that dies (the kernel's
out-of-memory killer at 100,000 documents) must fail the build, not leave it waiting for ever.
"""

from __future__ import annotations

import os
import signal
from concurrent.futures.process import BrokenProcessPool

import pytest

from gazette.workers import fork_call, fork_map


def test_the_result_comes_back_from_the_state_the_worker_inherited():
    documents = ["a", "b", "c"]  # (not pickled: the forked process has them)
    assert fork_call(lambda: len(documents))() == 3


def test_an_error_in_the_worker_is_raised_where_the_build_waits():
    def fails() -> None:
        raise ValueError("index: a page is missing")

    join = fork_call(fails)
    with pytest.raises(ValueError, match="a page is missing"):
        join()


def test_a_worker_that_is_killed_fails_the_build_instead_of_hanging_it():
    join = fork_call(lambda: os.kill(os.getpid(), signal.SIGKILL))
    with pytest.raises(BrokenProcessPool):
        join()


def test_without_background_the_work_is_done_at_once():
    done = []
    join = fork_call(lambda: done.append(1) or "made", background=False)
    assert done == [1] and join() == "made"


def test_map_keeps_the_order_and_a_killed_worker_fails_it():
    assert fork_map(lambda n: n * n, list(range(50)), 2) == [n * n for n in range(50)]
    with pytest.raises(BrokenProcessPool):
        fork_map(lambda n: os.kill(os.getpid(), signal.SIGKILL) if n == 7 else n, list(range(20)), 2)
