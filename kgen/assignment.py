"""An assignment: what each submission must hold, from `[assignment]` in the build spec
that `kgen check --profiles` reads. A submission missing a component, holding it under
another name or of another kind, or named as kgen's test files are (and so never
imported) is reported as such: it fails, never passes by being left out.

    [assignment]
    components = ["SimpleDense"]  # names of [[component]] tables; all of them if left out
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from kgen.errors import KgenError
from kgen.names import derive_names

_KEYS = {"components"}


@dataclass(frozen=True)
class Required:
    """A component each submission must define."""

    name: str  # as the build spec names it
    kind: str
    answers_to: frozenset[str]  # the class's name, or the function's module's


def read_assignment(spec_file: Path) -> list[Required] | None:
    """The components `spec_file`'s `[assignment]` requires; None without one. The
    spec is read already (kgen.build.read_requests checks it)."""
    return assignment_in(
        tomllib.loads(spec_file.read_text(encoding="utf-8")), spec_file
    )


def assignment_in(data: dict, spec_file: Path) -> list[Required] | None:
    """The `[assignment]` of a build spec's `data`, checked against its components."""
    if "assignment" not in data:
        return None
    table = data["assignment"]
    where = f"{spec_file}: [assignment]"
    if not isinstance(table, dict) or set(table) - _KEYS:
        raise KgenError(f"{where}: a table of one key, components (a list of names)")
    declared = {entry.get("name"): entry for entry in data["component"]}
    names = table.get("components", list(declared))
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise KgenError(f"{where}: components must be a list of strings")
    unknown = [name for name in names if name not in declared]
    if unknown or not names:
        raise KgenError(
            f"{where}: components names no [[component]]: {', '.join(unknown) or '[]'}"
        )
    required = []
    for name in dict.fromkeys(names):
        names_ = derive_names(name)
        required.append(
            Required(
                name,
                declared[name]["kind"],
                frozenset({names_.class_name, names_.module, name}),
            )
        )
    return required


# What kgen check takes for tests or a build script, by the file's name (kgen.checking).
SKIPPED_AS = "test_*.py, *_test.py, conftest.py, kgen_harness.py and setup.py"


def hold(records: list[dict], required: list[Required]) -> None:
    """Each submission's record held against the assignment: a component it lacks
    added as failed, one of another kind failed, the ones it was not asked for left
    ungraded."""
    for record in records:
        if record["file"] is None or record["error"]:
            continue
        found = record["components"]
        for component in found:
            if not any(component["component"] in r.answers_to for r in required):
                component["graded"] = False  # a helper of the student's, say
                component["notes"].append("not in the assignment: not graded")
        for each in required:
            mine = [c for c in found if c["component"] in each.answers_to]
            if not mine:
                found.append(_missing(each, found))
            for component in mine:
                if component["kind"] != each.kind:
                    component["problem"] = (
                        f"the assignment asks for a {each.kind}; this is a "
                        f"{component['kind']}"
                    )
                    component["passed"] = False


def skipped_records(
    skipped: list[str], backends: list[str] | tuple[str, ...] = ("tensorflow",)
) -> list[dict]:
    """A failed record for each file left out by its name, on each backend: an
    assignment's submission cannot be a test module."""
    return [
        {
            "target": path,
            "backend": backend,
            "file": str(Path(path).resolve()),
            "module": Path(path).stem,
            "error": f"not checked: kgen takes files named {SKIPPED_AS} for tests "
            "and build scripts; rename it",
            "limit": "",
            "components": [],
        }
        for path in skipped
        for backend in backends
    ]


def _missing(required: Required, found: list[dict]) -> dict:
    others = ", ".join(f"{c['component']} ({c['kind']})" for c in found)
    problem = (
        f"missing: the assignment asks for a {required.kind} named {required.name}"
    )
    return {
        "component": required.name,
        "kind": required.kind,
        "style": "",
        "registered": None,
        "passed": False,
        "graded": True,
        "problem": problem + (f"; found {others}" if others else ""),
        "params": [],
        "unchecked": [],
        "notes": [],
        "contracts": [],
    }
