"""Run one function over many items in forked worker processes (GAZETTE_WORKERS).

Parsing, rendering and the inspection all have thousands of independent items and
state too large to pickle (settings, the site's documents, templates). Forked workers
inherit that state, so only the items and the results cross between processes.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
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
        # (an executor, not multiprocessing.Pool: a worker killed for memory fails the map, not hangs it)
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            parts = list(pool.map(_run, chunks))
    finally:
        gc.unfreeze()
        _task.clear()
    results: list[Any] = [None] * len(items)
    for start, part in enumerate(parts):
        results[start::count] = part
    return results


def fork_call(func: Callable[[], Any], background: bool = True) -> Callable[[], Any]:
    """Start func() in one forked process; the returned function waits for it and gives its result.

    For work that only needs the build's state as it is now and the output files (the search
    index once the pages are written), so the build process can go on with other work on the
    other core. func's exception is raised by the returned function, and so is the loss of the
    process (killed for memory, say): the build fails instead of waiting for ever. Not
    background: func runs here, now (GAZETTE_WORKERS=1).
    """
    if not background:
        result = func()
        return lambda: result
    _task[:] = [func]
    gc.freeze()
    try:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
        pending = pool.submit(_call)  # (forks now, with func in _task)
    finally:
        gc.unfreeze()
        _task.clear()

    def join() -> Any:
        try:
            return pending.result()
        finally:
            pool.shutdown()

    return join


def _call() -> Any:
    return _task[0]()
