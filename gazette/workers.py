"""Run one function over many items in forked worker processes (GAZETTE_WORKERS).

Parsing, rendering and the inspection all have thousands of independent items and
state too large to pickle (settings, the site's documents, templates). Forked workers
inherit that state, so only the items and the results cross between processes.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Sequence
from typing import Any

_task: list[Callable[[Any], Any]] = []  # the function, as the forked workers inherit it


def _run(chunk: Sequence[Any]) -> list[Any]:
    return [_task[0](item) for item in chunk]


def fork_map(func: Callable[[Any], Any], items: Sequence[Any], workers: int, chunks_per_worker: int = 4) -> list[Any]:
    """[func(item) for item in items], in `workers` forked processes.

    Chunks interleave the items (neighbours are often alike in cost), several per
    worker so that one slow chunk does not hold the others up.
    """
    count = workers * chunks_per_worker
    chunks = [items[i::count] for i in range(count)]
    _task[:] = [func]
    gc.freeze()  # keep the workers' garbage collector off the inherited pages (copy-on-write)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_run, chunks)
    finally:
        gc.unfreeze()
        _task.clear()
    results: list[Any] = [None] * len(items)
    for start, part in enumerate(parts):
        results[start::count] = part
    return results
