"""`kgen check` on every public component of Keras and keras-hub: the verdicts to trust.

Each module of keras.toml is checked whole, as a user checks it (`kgen check MODULE
--profiles FILE --json`, fast contracts), with the test profiles the file gives its
components. Every component found must pass, unless the file says it is not applicable
(with the reason) or a known bug of its library (with the upstream reference; a bug
fixed in the installed version must pass). An unexpected failure fails the test with its
message; a known bug or a component not applicable that passes is warned of, so that the
file is brought up to date. The counts are printed at the end of the run (conftest.py), and
may not fall below the file's.
"""

import json
import os
import shutil
import subprocess
import tomllib
import warnings
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.version import Version

from kgen.profile import KEYS

ORACLE = tomllib.loads((Path(__file__).parent / "keras.toml").read_text())
LIBRARIES = ORACLE.pop("libraries")
MODULES = {
    module: library
    for library, entry in LIBRARIES.items()
    for module in entry["modules"]
}
COUNTS: dict[str, dict[str, int]] = {}

pytestmark = pytest.mark.heavy


def expected(module: str, name: str) -> tuple[str, str, set[str]]:
    """(verdict, why, the contracts a known bug fails) of a component of `module`."""
    entry = ORACLE.get(module, {}).get(name, {})
    if "not_applicable" in entry:
        return "not applicable", entry["not_applicable"], set()
    bug = entry.get("known_bug")
    if bug is None:
        return "passed", "", set()
    installed = Version(version(LIBRARIES[MODULES[module]]["distribution"]))
    fixed_in = bug.get("fixed_in", "")
    if fixed_in and installed >= Version(fixed_in):
        return "passed", f"{bug['reference']}, fixed in {fixed_in}", set()
    return "known bug", bug["reference"], set(bug["contracts"])


def profiles_file(module: str, folder: Path) -> list:
    """`--profiles FILE` with the module's test profiles, as kgen check reads them; no
    option if the module has none."""
    lines = []
    for name, entry in ORACLE.get(module, {}).items():
        profile = {key: value for key, value in entry.items() if key in KEYS}
        if profile:
            lines.append(f"[profile.{name}]")
            lines += [f"{key} = {toml_value(value)}" for key, value in profile.items()]
    if not lines:
        return []
    path = folder / f"{module}.toml"
    path.write_text("\n".join(lines) + "\n")
    return ["--profiles", path]


def toml_value(value: object) -> str:
    """A profile's value as TOML: JSON's strings, numbers and lists, inline tables."""
    if isinstance(value, dict):
        items = ", ".join(
            f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()
        )
        return "{ " + items + " }"
    return json.dumps(value)


def check(module: str, folder: Path) -> dict:
    profiles = profiles_file(module, folder)
    run = subprocess.run(
        # A module is one unit, its time limit a file's: keras.layers takes minutes.
        [shutil.which("kgen") or "kgen", "check", module, "--json", "--timeout", "1500"]
        + profiles,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "KGEN_WORKERS": "1"},
    )
    assert run.stdout, run.stderr[-3000:]
    (record,) = json.loads(run.stdout)["files"]
    return record


def failed(component: dict) -> dict[str, str]:
    """The contracts it failed, with their messages; its problem, if it has one."""
    if component["problem"]:
        return {"problem": component["problem"]}
    return {
        row["contract"]: row["message"]
        for row in component["contracts"]
        if row["outcome"] == "failed"
    }


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    """Every module checked, two at a time (one per core: TensorFlow starts once in
    each), the longest first; for each, its unexpected results and its counts."""
    folder = tmp_path_factory.mktemp("oracle")
    order = sorted(MODULES, key=lambda module: module != "keras.layers")
    with ThreadPoolExecutor(max_workers=2) as pool:
        records = dict(zip(order, pool.map(lambda m: check(m, folder), order)))
    results = {}
    for module, record in records.items():
        found = {each["component"]: each for each in record["components"]}
        unexpected = [f"cannot import it: {record['error']}"] if record["error"] else []
        unexpected += [
            f"{name}: listed, not found"
            for name in set(ORACLE.get(module, {})) - set(found)
        ]
        counts = COUNTS.setdefault(MODULES[module], dict.fromkeys(VERDICTS, 0))
        for name, component in found.items():
            verdict, why, contracts = expected(module, name)
            counts[verdict] += 1
            counts["total"] += 1
            failures = failed(component)
            if component["passed"] and verdict != "passed":
                warnings.warn(f"{module}:{name} passes: no longer {verdict} ({why})")
            elif verdict == "passed" and failures:
                unexpected.append(f"{name}: {failures}")
            elif verdict == "known bug" and not set(failures) <= contracts:
                unexpected.append(f"{name} (known bug {why}): {failures}")
        results[module] = unexpected
    return results


VERDICTS = ("passed", "not applicable", "known bug", "total")


@pytest.mark.parametrize("module", list(MODULES))
def test_every_component_gets_its_expected_verdict(verdicts, module):
    assert not verdicts[module], "\n".join(verdicts[module])


@pytest.mark.parametrize("library", list(LIBRARIES))
def test_the_counts_do_not_fall(verdicts, library, record_property):
    counts = COUNTS[library]
    record_property("oracle_counts", f"{library}: {counts}")  # printed at the end
    assert counts["passed"] >= LIBRARIES[library]["passed_at_least"], counts
