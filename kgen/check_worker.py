"""The process `kgen check` runs for a batch of modules: it imports them, finds their
components, renders each one's generated tests into a temporary folder, runs them all
with pytest in this one process (TensorFlow starts once), and writes one record per
module as JSON. With `write`, it renders the tests for beside the module instead.

    python -m kgen.check_worker RESULTS_FD CPU_SECONDS MEMORY_BYTES < REQUEST.json

The request comes on stdin and the records go to the pipe RESULTS_FD (kgen.check_process
holds its other end), both taken before the user's code is imported, and the limits
(kgen.sandbox) are set then too. Keras runs on the backend KERAS_BACKEND names (set by
kgen.check_process); off TensorFlow, TensorFlow is hidden from this process.
"""

import contextlib
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

from kgen.backends import hide_other_backends

hide_other_backends(os.environ.get("KERAS_BACKEND", "tensorflow"))

import keras  # noqa: F401 - before the user's folders go on sys.path, as pytest is
import pytest

from kgen.check_report import one_line_cause
from kgen.checking import Unit, param_name, profile_table, record_of, spec_for
from kgen.contracts import contract_row, note_for
from kgen.discover import ImportFailed, components_in, import_module
from kgen.errors import KgenError
from kgen.generate import Target, test_source
from kgen.sandbox import set_limits
from kgen.support import support_contents
from kgen.valid_values import breaking_values


def main(results_fd: str, cpu_seconds: str, memory_bytes: str) -> None:
    request = json.load(sys.stdin)
    results = os.fdopen(int(results_fd), "w")
    os.set_inheritable(results.fileno(), False)  # not to the tests' own processes
    set_limits(int(cpu_seconds), int(memory_bytes))
    try:
        records = _check(request)
    except KeyboardInterrupt:  # the command was interrupted: it reports that
        sys.exit(130)
    results.write(json.dumps(records))
    results.close()


def _check(request: dict) -> list[dict]:
    folder = Path(request["folder"], "tests")
    folder.mkdir()
    for name, content in support_contents().items():  # the rendered tests import them
        (folder / name).write_text(content)
    sys.path.insert(0, str(folder))
    records, tests = [], {}  # tests: test file -> the component record it checks
    for unit, profiles in zip(request["units"], request["profiles"], strict=True):
        record = record_of(Unit(**unit))
        records.append(record)
        try:
            module = import_module(unit["module"], unit["root"], unit["file"])
            found = components_in(module, unit["name"], unit["file"] is not None)
        except ImportFailed as error:
            record["error"] = str(error)
            if "MemoryError" in record["error"]:
                record["limit"] = "memory"
                record["error"] += " (its memory limit: --memory)"
            continue
        for each in found:
            component = _component(each)
            record["components"].append(component)
            if each.problem:
                continue
            given = profiles.get(each.name, {})
            table = profile_table(given.get("test", {}), request["table"])
            own = set(component["params"]) | set(component["unchecked"])
            for name in sorted(set(given.get("test", {}).get("samples", {})) - own):
                note = f"its test profile's sample {name}: no such param; ignored"
                component["notes"].append(note)
                print(f"kgen: warning: {each.name}: {note}", file=sys.stderr)
            try:
                spec = _spec(each, table, given, component, folder)
                target = Target(
                    out=folder, import_from=(Path(unit["root"]), unit["module"])
                )
                # A name of its own: the user's folder, on sys.path, may hold a test
                # module of the component's name (kgen writes one beside it).
                path = _free(folder / f"test_kgen_check_{spec.names.test_file[5:]}")
                path.write_text(test_source(spec, target, shown=False))
                spec = _within_its_rules(
                    spec, each, table, given, component, target, path
                )
                # A string or a list: kgen cannot tell what else it takes. A default
                # of no type kgen can vary: checked where a sample gives its value.
                tested = [p.name for p in spec.params if p.name not in spec.unvaried]
                component["unchecked"] = [
                    name
                    for name in component["params"] + component["unchecked"]
                    if name not in tested
                ]
                component["params"] = tested
                if request["write"]:
                    path.unlink()
                    component["test_file"] = _test_beside(spec, unit)
                    continue
            except KgenError as error:
                component["problem"] = str(error)
                continue
            tests[path.name] = component
    if tests:
        _run_pytest(folder, tests, request["heavy"])
    return records  # `passed` is worked out by the command (kgen.check_process)


def _within_its_rules(
    spec, found, table: dict, given: dict, component: dict, target: Target, path: Path
):
    """The spec again, and its tests at `path`, without the test values that break the
    component (a rule between its params): those params keep their defaults, and the
    component's notes say why."""
    broken = breaking_values(path, found)
    if not broken:
        return spec
    found = replace(
        found, params=[p for p in found.params if param_name(p) not in broken]
    )
    samples = table.get("samples", {})
    table = {**table, "samples": {k: v for k, v in samples.items() if k not in broken}}
    component["notes"] += [
        f"its test value of {name} broke it, so {name} keeps its default: {error}"
        for name, error in broken.items()
    ]
    spec = _spec(found, table, given, component, target.out)
    path.write_text(test_source(spec, target, shown=False))
    return spec


def _spec(found, table: dict, given: dict, component: dict, folder: Path):
    """The spec of a component's tests: its profile's table, a build spec's declared
    params, and its reference math where the tests can take it."""
    spec = spec_for(found.to_json(), table, given.get("params", []))
    if given.get("reference"):
        spec = _with_reference(spec, found, table, given, component, folder)
    return spec


def _with_reference(
    spec, found, table: dict, given: dict, component: dict, folder: Path
):
    """The spec with the build spec's reference math, if its tests can be made with it
    (it may use a param the component does not take); else the spec as it was, and a
    note saying why: the other contracts are checked all the same."""
    try:
        with_it = spec_for(found.to_json(), table, given["params"], given["reference"])
        target = Target(out=folder, import_from=(None, found.module))
        test_source(with_it, target, shown=False)
    except KgenError as error:
        component["notes"].append(f"the build spec's reference is not used: {error}")
        return spec
    return with_it


def _component(found) -> dict:
    return {
        "component": found.name,
        "kind": found.kind,
        "style": found.style,
        "registered": found.registered,
        "passed": False,
        "graded": True,
        "problem": found.problem,
        "params": [text.partition("=")[0].partition(":")[0] for text in found.params],
        "unchecked": found.unchecked,
        "notes": found.notes,
        "contracts": [],
    }


def _free(path: Path) -> Path:
    """`path`, or test_x_2.py... when two components' tests would share a name."""
    count = 1
    while path.exists():
        count += 1
        path = path.with_name(f"{path.stem.rsplit('__', 1)[0]}__{count}.py")
    return path


def _test_beside(spec, unit: dict) -> dict:
    """The test module for beside the module (kgen adds the support files itself)."""
    folder = Path(unit["file"]).parent
    target = Target(out=folder, import_from=(Path(unit["root"]), unit["module"]))
    return {"name": spec.names.test_file, "content": test_source(spec, target)}


_NO_REFERENCE = (
    "the math is the component's own: no reference to compare it with (the test module "
    "--write writes has a reference() to fill in)"
)


_WORSE = {"passed": 0, "skipped": 1, "failed": 2}


class _Collector:
    """A pytest plugin: each test's outcome, by its component, and a line of progress."""

    def __init__(self, tests: dict[str, dict]):
        self.tests = tests
        self.rows: dict[tuple[str, str], dict] = {}

    def pytest_collectreport(self, report):
        if report.failed:
            component = self.tests.get(Path(report.nodeid).name)
            if component is not None:
                component["problem"] = one_line_cause(str(report.longrepr))

    def pytest_runtest_logreport(self, report):
        if report.when != "call" and report.passed:
            return
        file, _, test = report.nodeid.partition("::")
        component = self.tests[Path(file).name]
        name, _, case = test.partition("[")
        outcome = "failed" if report.failed else report.outcome
        message = ""
        if report.failed:
            crash = getattr(report.longrepr, "reprcrash", None)
            message = crash.message if crash else str(report.longrepr)
        elif report.skipped and name == "test_computes_the_reference_math":
            message = _NO_REFERENCE
        elif report.skipped and isinstance(report.longrepr, tuple):
            message = report.longrepr[2].removeprefix("Skipped: ")
        raw, message = message, one_line_cause(message)
        if case and message:
            message = f"[{case.rstrip(']')}] {message}"
        key = (file, name)
        if key not in self.rows:
            self.rows[key] = contract_row(name, component["kind"], "passed", "")
            self.rows[key]["cause"] = ""
            component["contracts"].append(self.rows[key])
        row = self.rows[key]
        if _WORSE[outcome] > _WORSE[row["outcome"]]:  # a contract is its worst case
            row.update(contract_row(name, component["kind"], outcome, message, raw))
            if outcome == "failed":  # the mistake, for the grade (kgen.grades)
                row["cause"] = note_for("", raw or message) or message
        if report.when == "call" or not report.passed:
            mark = "FAILED" if report.failed else report.outcome
            print(
                f"kgen check: {component['component']}: {test} {mark}", file=sys.stderr
            )


def _run_pytest(folder: Path, tests: dict[str, dict], heavy: bool) -> None:
    (folder / "pytest.ini").write_text("[pytest]\n")  # no configuration from above
    arguments = [
        str(folder),
        "-p",
        "no:cacheprovider",
        # The cause is the exception's own line: Python's traceback is enough, and
        # pytest's would parse every source file it passes through (TensorFlow's are
        # large). No unraisable-exception warnings, so no five garbage collections of
        # TensorFlow's heap at the end: the collector reads no warnings.
        "--tb=native",
        "-p",
        "no:unraisableexception",
        f"--basetemp={folder.parent / 'tmp'}",
        "-q",
    ]
    if not heavy:
        arguments += ["-m", "not heavy"]
    # pytest's own report is not shown: the collector reports each test's outcome.
    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        pytest.main(arguments, plugins=[_Collector(tests)])


if __name__ == "__main__":
    main(*sys.argv[1:])
