"""`plan` of many components at once, across processes when there are enough of them:
black, which takes most of a cold build's time, then runs on every core."""

import os
import re

from kgen.errors import KgenError
from kgen.generate import Target, plan
from kgen.spec import ComponentSpec
from kgen.writer import PlannedFile

PER_PROCESS = 8  # fewer components than this per process: starting one costs more
WORKERS_VARIABLE = "KGEN_WORKERS"  # at most this many processes (default: the cores)


def plan_each(
    specs: list[ComponentSpec], targets: list[Target]
) -> list[list[PlannedFile]]:
    """`[plan(spec, target) for ...]`, in several processes if that pays."""
    workers = min(len(specs) // PER_PROCESS, most_workers())
    if workers < 2:
        return [plan(spec, target) for spec, target in zip(specs, targets, strict=True)]
    import multiprocessing  # only for a large build
    from concurrent.futures import ProcessPoolExecutor

    # Spawned, not forked: a process that has loaded TensorFlow (a test, a notebook using
    # the Python API) cannot be forked safely; a forked child crashed collecting its objects.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=spawn) as pool:
        return list(pool.map(plan, specs, targets, chunksize=4))


def most_workers() -> int:
    """The most processes a command may run: KGEN_WORKERS, else the cores."""
    value = os.environ.get(WORKERS_VARIABLE, "")
    if not value:
        return cores()
    if not re.fullmatch(r"[0-9]+", value) or int(value) < 1:
        raise KgenError(
            f"{WORKERS_VARIABLE}={value!r}: give a whole number of processes, 1 or more"
        )
    return int(value)


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
