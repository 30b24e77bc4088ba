"""One worker process of `kgen check` (kgen.check_worker), run on code kgen did not write:
in the sandbox (kgen.sandbox) with a private folder, its limits and a wall-clock timeout,
the whole of its process group killed when it ends.

The request goes in on its stdin, read before the user's code is imported; the records
come back on a pipe this process holds the other end of (never a file in a shared
folder), and are taken only if they are the records of the units asked for, once each.
What the user's code prints goes to kgen's stderr (cut short), never to its stdout.
"""

import contextlib
import functools
import importlib.resources
import json
import os
import re
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from kgen.sandbox import Limits, ended_by, kill_group, private_folders, wrapped

SHOWN_OUTPUT = 64 * 1024  # bytes of a process's output shown on stderr, at most
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # a terminal's escapes among them
# What TensorFlow's native libraries log on import whatever TF_CPP_MIN_LOG_LEVEL says
# (TensorFlow 2.21 writes these before its logging reads it): not the user's output.
_NATIVE_NOISE = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|[IW]\d{4} [\d:.]+ +\d+ \w+\.cc:\d+\] "
    r"|E\d{4} [\d:.]+ +\d+ cuda_\w+\.cc:\d+\] failed call to cuInit"
)


@dataclass(frozen=True)
class Outcome:
    """What became of a worker: its records, or why there are none (and the limit that
    stopped it: time, cpu)."""

    records: list[dict] | None
    error: str = ""
    limit: str = ""


def run_worker(
    request: dict,
    units: list[dict],
    folder: Path,
    limits: Limits,
    running: set,
    backend: str = "tensorflow",
) -> Outcome:
    """Run the worker on `request` in `folder` (private to it), within `limits`, with
    Keras on `backend`; `running` holds the process while it runs, for an interrupted
    command to stop."""
    reader, writer = os.pipe()
    environment = {
        **os.environ,
        **private_folders(folder),
        "KERAS_BACKEND": backend,
        "TF_CPP_MIN_LOG_LEVEL": "2",  # TensorFlow's errors only
        "PYTHONDONTWRITEBYTECODE": "1",  # no __pycache__ in the user's folders
        "KGEN_HEAVY": "1" if request["heavy"] else "0",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",  # pytest alone: no plugin of the user's
    }
    environment.pop("PYTEST_ADDOPTS", None)
    # -P: the folder run in is not put on sys.path, where a file of the user's might
    # shadow a module; each unit says where it is imported from.
    command = [sys.executable, "-P", "-m", "kgen.check_worker", str(writer)]
    command += limits.worker_arguments()
    readable = [unit["root"] for unit in units]
    try:
        process = subprocess.Popen(
            wrapped(command, folder, readable),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(writer,),
            start_new_session=True,  # its own process group, killed as one
            cwd=folder,  # pytest's plugins may write where they run: not in the user's
            env=environment,
        )
    finally:
        os.close(writer)
    running.add(process)
    try:
        threading.Thread(target=_show, args=(process.stdout,), daemon=True).start()
        try:
            process.stdin.write(json.dumps(request).encode())
            process.stdin.close()
        except BrokenPipeError:
            pass  # it ended at once: told below
        deadline = time.monotonic() + limits.seconds
        data = _read(reader, process, deadline)
        if data is None:
            return Outcome(
                None,
                f"stopped: it ran longer than its time limit ({limits.seconds} s; "
                "--timeout, each file)",
                "time",
            )
        with contextlib.suppress(subprocess.TimeoutExpired):  # its results are in
            process.wait(max(deadline - time.monotonic(), 1))
    finally:
        kill_group(process)
        process.wait()
        running.discard(process)
        os.close(reader)
    why = ended_by(process.returncode)
    limit = "cpu" if "CPU time" in why else ""
    if not data:
        return Outcome(
            None, f"importing or checking it ended the process ({why})", limit
        )
    records = records_from(data, units)
    if records is None:
        return Outcome(
            None,
            "its results are not kgen's: something wrote into the channel they come "
            "back on",
        )
    return Outcome(records)


def _read(reader: int, process: subprocess.Popen, deadline: float) -> bytes | None:
    """All the worker writes to `reader` until it closes it or ends (a process of the
    user's may hold it open: not waited for); None when the deadline comes first."""
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([reader], [], [], min(left, 0.5))
        if ready:
            chunk = os.read(reader, 1 << 16)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
        elif process.poll() is not None:
            return b"".join(chunks)


def records_from(data: bytes, units: list[dict]) -> list[dict] | None:
    """The records in `data`, if they are exactly one for each unit, in order, in the
    report's shape, naming only tests kgen's templates make; else None. (Their
    `backend` is set by kgen.checking, whatever the worker wrote there.)"""
    try:
        records = json.loads(data)
    except ValueError:
        return None
    if not isinstance(records, list) or len(records) != len(units):
        return None
    for record, unit in zip(records, units):
        if not _well_formed(record, unit):
            return None
        for component in record["components"]:  # by this process, from the rows
            rows = component["contracts"]
            component["passed"] = (
                bool(rows)
                and not component.get("problem")
                and all(row["outcome"] != "failed" for row in rows)
            )
    return records


def _well_formed(record: object, unit: dict) -> bool:
    if not isinstance(record, dict):
        return False
    if record.get("file") != unit["file"] or record.get("module") != unit["module"]:
        return False
    if record.get("target") != unit["label"] or not isinstance(
        record.get("error"), str
    ):
        return False
    components = record.get("components")
    if not isinstance(components, list):
        return False
    for component in components:
        rows = component.get("contracts") if isinstance(component, dict) else None
        if not isinstance(rows, list):
            return False
        for row in rows:
            if not isinstance(row, dict) or row.get("contract") not in known_tests():
                return False
            if row.get("outcome") not in ("passed", "failed", "skipped"):
                return False
    return True


@functools.cache
def known_tests() -> frozenset[str]:
    """The names of every test kgen's templates can make: no other is a contract."""
    templates = importlib.resources.files("kgen.templates")
    names = set()
    for path in Path(str(templates)).rglob("*.j2"):
        names.update(re.findall(r"\btest_[a-z0-9_]+", path.read_text()))
    return frozenset(names)


def _show(output) -> None:
    """The worker's output (its progress and what the user's code prints) on kgen's
    stderr, up to SHOWN_OUTPUT bytes; the rest read and dropped."""
    shown = 0
    for line in output:
        decoded = line.decode(errors="replace")
        if shown < SHOWN_OUTPUT and not _NATIVE_NOISE.match(decoded):
            text = _CONTROL.sub("?", decoded.rstrip("\r\n"))
            shown += len(line)
            if shown >= SHOWN_OUTPUT:
                text = "kgen: (the rest of this check's output is not shown)"
            print(text, file=sys.stderr, flush=True)
    output.close()
