"""`kgen check`: the contract tests kgen generates, run on components it did not write.

This process never imports Keras. It resolves the targets into modules, groups them into
batches that can share one process (one submission's: a file, or a package; no two
modules of one name, no top-level name defined twice), and runs each batch in a worker
(kgen.check_worker, in the sandbox of kgen.check_process) that imports the user's code,
finds its components (kgen.discover), renders each one's tests into a temporary folder
and runs them with pytest. The results come back as JSON: one record per file or
module, each component with its contracts.
"""

import ast
import os
import re
import subprocess
import tempfile
import threading
import tomllib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from kgen.check_process import run_worker
from kgen.errors import KgenError
from kgen.manifest import read_manifest
from kgen.names import Names, derive_names, snake_case
from kgen.parallel import most_workers
from kgen.profile import KEYS, check_table
from kgen.project import find_project
from kgen.sandbox import Limits, kill_group
from kgen.spec import ComponentSpec, make_spec
from kgen.support import planned_support
from kgen.writer import PlannedFile

_DOTTED = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*\Z")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*\Z")
# What a folder holds besides components: tests, kgen's test support, build scripts.
_NOT_COMPONENTS = re.compile(r"(test_.*|.*_test|conftest|kgen_harness|setup)\.py\Z")
# What --write names, beside a module.
_TEST_MODULE = re.compile(r"test_[A-Za-z0-9_]+\.py")
_SKIPPED_FOLDERS = {"__pycache__", "node_modules", "site-packages", "build", "dist"}


@dataclass(frozen=True)
class Unit:
    """One module to check, as the worker imports it."""

    label: str  # the file, or the module as the user named it
    module: str  # its dotted name
    root: str  # the folder to put on sys.path
    name: str | None = None  # the one component to check (TARGET:Name)
    file: str | None = None  # None: a module given by its dotted name


def resolve(targets: list[str], skipped: list[str] | None = None) -> list[Unit]:
    """Each TARGET (a .py file, a folder, a dotted module; `:Name` for one component)
    as the modules to import, files in a folder in order; the files of a folder taken
    for tests or build scripts by their names are added to `skipped`."""
    units: list[Unit] = []
    skipped = [] if skipped is None else skipped
    for target in targets:
        if not target.strip():
            raise KgenError("an empty TARGET; give a .py file, a folder or a module")
        where, name = target, None
        head, colon, tail = target.rpartition(":")
        if colon and _IDENTIFIER.match(tail) and head:
            where, name = head, tail
        path = Path(where)
        if path.is_dir():
            if name:
                raise KgenError(
                    f"{target}: :Name picks a component of a file or module"
                )
            files = sorted(_python_files(path, skipped))
            if not files:
                raise KgenError(f"{where}: no Python files in this folder")
            units += [_file_unit(file, None) for file in files]
        elif path.is_file():
            if path.suffix != ".py":
                raise KgenError(f"{where}: not a Python file (.py)")
            units.append(_file_unit(path, name))
        elif _DOTTED.match(where) and not where.endswith(".py"):
            # As `python -m` finds it: from the current folder, then where Python looks.
            units.append(Unit(target, where, str(Path.cwd()), name))
        else:
            raise KgenError(f"{target}: no such file, folder or module")
    skipped[:] = dict.fromkeys(skipped)
    return list(dict.fromkeys(units))  # a file named twice is checked once


def _python_files(folder: Path, skipped: list[str]):
    for path in folder.iterdir():
        if path.name.startswith(".") or path.name in _SKIPPED_FOLDERS:
            continue
        if path.is_symlink() and path.is_dir():
            continue  # a link may lead back up: a folder is walked where it is
        if path.is_dir() and not (path / "pyvenv.cfg").exists():
            yield from _python_files(path, skipped)
        elif path.suffix == ".py" and _NOT_COMPONENTS.match(path.name):
            skipped.append(_label(path.resolve()))
        elif path.suffix == ".py":
            yield path


def _file_unit(path: Path, name: str | None) -> Unit:
    """The file as Python imports it: inside packages, by its dotted name from the
    folder above the top package."""
    path = path.resolve()
    parts = [] if path.name == "__init__.py" else [path.stem]
    folder = path.parent
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        parts.insert(0, folder.name)
        folder = folder.parent
    if not parts or not all(_IDENTIFIER.match(part) for part in parts):
        raise KgenError(f"{path}: not importable as a Python module (its name)")
    return Unit(_label(path), ".".join(parts), str(folder), name, str(path))


def _label(path: Path) -> str:
    return os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)


def batches(units: list[Unit]) -> list[list[Unit]]:
    """Units grouped so that each group can share a process: never two submissions (a
    file not in a package is one, a package another; the modules given by their dotted
    names, installed code, share), no module name twice, no top-level name defined in
    two files (Keras keeps one registration per name)."""
    groups: list[tuple[list[Unit], set[str], object]] = []
    for unit in units:
        names = {f"module:{unit.module}", *_defined_names(unit)}
        author = submission_of(unit)
        for group, taken, whose in groups:
            if whose == author and not names & taken:
                group.append(unit)
                taken |= names
                break
        else:
            groups.append(([unit], names, author))
    return [group for group, _, _ in groups]


def submission_of(unit: Unit) -> tuple[str, str] | None:
    """Whose code the unit is: a file of its own, or a package, each where it is; None
    for a module given by its dotted name."""
    if unit.file is None:
        return None
    return unit.root, unit.module.partition(".")[0]


def _defined_names(unit: Unit) -> set[str]:
    if unit.file is None:
        return set()
    try:
        tree = ast.parse(Path(unit.file).read_bytes())
    except (SyntaxError, ValueError, OSError, RecursionError, MemoryError):
        return set()  # the worker reports it, from the import
    names = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
            # register_keras_serializable(name=...): one registry for the process
            names |= {
                f"registered:{keyword.value.value}"
                for decorator in node.decorator_list
                if isinstance(decorator, ast.Call)
                for keyword in decorator.keywords
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant)
            }
    return names


def profiles_for(unit: Unit) -> dict[str, dict]:
    """The test profiles a project keeps for its components, by class or function name:
    the manifest's for the ones kgen generated, `[tool.kgen.test.NAME]` over them."""
    project = find_project(Path(unit.file).parent) if unit.file else None
    if project is None:
        return {}
    found = {}
    for record in read_manifest(project).values():
        if record.registered and record.test:
            found[record.registered.rpartition(">")[2]] = {"test": record.test}
    return {**found, **{name: {"test": t} for name, t in project.tests.items()}}


def profiles_in(spec_file: Path) -> dict[str, dict]:
    """What `--profiles SPEC.toml` gives each component of a build spec, by its class
    name and by its module's (a function's) name: its test profile, its declared params
    (their types, which a constructor's defaults may not tell) and its reference math.
    A file of `[profile.NAME]` tables gives test profiles alone, by component name, for
    components no build spec describes (Keras's own).
    """
    from kgen.build import read_requests

    tables = _profile_tables(spec_file)
    if tables is not None:
        return {name: {"test": table} for name, table in tables.items()}
    profiles = {}
    for request in read_requests(spec_file):
        names = derive_names(request.name)
        entry = {
            "test": request.test,
            "params": list(request.params),
            "reference": request.reference,
        }
        profiles[names.class_name] = profiles[names.module] = entry
    return profiles


def _profile_tables(path: Path) -> dict[str, dict] | None:
    """The `[profile.NAME]` tables of a profiles file, each checked as the options are;
    None for a build spec."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None  # read as a build spec, which names the error
    if "profile" not in data:
        return None
    tables = data["profile"]
    if set(data) != {"profile"} or not isinstance(tables, dict):
        raise KgenError(f"{path}: [profile.NAME] tables only, or a build spec")
    for name, table in tables.items():
        if not isinstance(table, dict) or set(table) - set(KEYS):
            raise KgenError(
                f"{path}: [profile.{name}] takes {', '.join(KEYS)}, as [component.test]"
            )
        try:
            check_table(table)
        except KgenError as error:
            raise KgenError(f"{path}: [profile.{name}]: {error}") from None
    return tables


def spec_for(
    found: dict, table: dict, declared: list[str] = (), reference: str = ""
) -> ComponentSpec:
    """The spec whose generated tests check a component kgen did not write: its params
    from its constructor (or, where that cannot tell their type, as `declared` in a build
    spec), every method it writes standing for a body of the user's (so that no test
    assumes kgen's default math) and compared with `reference` (a build spec's numpy
    math) if there is one, its own registered name, its configs compared as Keras keeps them,
    through JSON (a config of the user's may fake its equality)."""
    by_name = {param_name(text): text for text in declared}
    params = [
        (
            by_name.get(param_name(text), text)
            if ":" not in text.partition("=")[0]
            else text
        )
        for text in found["params"]
    ]
    samples = table.get("samples", {})
    for name in found["unchecked"]:  # a default kgen cannot vary: declared, or sampled
        if name in by_name:
            params.append(by_name[name])
        elif name in samples:
            params.append(f"{name}:{_type_of(samples[name], name)}=None")
    for index, text in enumerate(params):
        name, _, rest = text.partition("=")
        if ":" not in name and rest == "...":  # required, of no known type
            if name not in samples:
                raise KgenError(
                    f"the argument {name} has no default: give its test value with "
                    f"--sample {name}=VALUE"
                )
            params[index] = f"{name}:{_type_of(samples[name], name)}=..."
    names = {param_name(text) for text in params}
    table = {**table, "samples": {k: v for k, v in samples.items() if k in names}}
    if not table["samples"]:
        del table["samples"]
    spec = make_spec(
        found["kind"],
        "Component",
        params,
        style=found["style"],
        bodies={method: "pass" for method in found["overrides"]},
        reference=reference,
        test=table,
        checked=True,
    )
    if found["style"] == "class":  # the base arguments it takes: no seed, no seed test
        kind = replace(
            spec.kind,
            base_args=tuple(
                arg for arg in spec.kind.base_args if arg.name in found["base_args"]
            ),
        )
        spec = replace(spec, kind=kind)
    snake = snake_case(found["name"])
    module = found["name"] if found["style"] == "function" else snake
    names_ = Names(found["name"], module, f"test_{snake.lstrip('_')}")
    return replace(
        spec,
        names=names_,
        registered_as=found["registered"] or "",
        per_axis_configs=True,
        backend="",  # not written for one: its tests run on the backend that runs them
    )


def profile_table(profile: dict, options: dict) -> dict:
    """A component's test profile: the command line's options over its own profile's
    entries, its samples added to the profile's (one param's value replaced, not all).
    """
    table = {**profile, **options}
    if "samples" in profile and "samples" in options:
        table["samples"] = {**profile["samples"], **options["samples"]}
    return table


def unknown_samples(records: list[dict], samples: dict) -> list[str]:
    """The names of `--sample` that no component found has a param of (a typo, or a
    param of a component not checked): their values are used nowhere."""
    taken = {
        name
        for record in records
        for component in record["components"]
        for name in component.get("params", []) + component.get("unchecked", [])
    }
    return sorted(set(samples) - taken)


def param_name(text: str) -> str:
    """`units` of `units:int=32`."""
    return text.partition("=")[0].partition(":")[0].strip()


def _type_of(value: object, name: str) -> str:
    for type_ in (bool, int, float, str):
        if type(value) is type_:
            return type_.__name__
    items = {type(item) for item in value} if isinstance(value, list) else set()
    if len(items) == 1 and items <= {int, float, str}:
        return f"list[{items.pop().__name__}]"
    raise KgenError(
        f"--sample {name}: give a number, a bool, a string or a list of one of them"
    )


def run(
    units: list[Unit],
    table: dict,
    *,
    heavy: bool = False,
    write: bool = False,
    profiles: dict[str, dict] | None = None,
    jobs: int | None = None,
    limits: Limits | None = None,
    done: Callable[[list[dict]], None] | None = None,
    backends: list[str] | tuple[str, ...] = ("tensorflow",),
) -> list[dict]:
    """Check (or with `write`, render the tests of) every unit on each of `backends`;
    one record per unit and backend, in the units' order, each unit's backends in
    theirs. Batches run side by side, one worker process each (one backend each),
    within `limits`; `done` is given each batch's records as it ends. Each component's
    test profile: `table`, over `profiles` (by its name), over its project's."""
    jobs = jobs or most_workers()
    limits = limits or Limits()
    groups = [
        (group, backend)
        for group in _spread(batches(units), jobs)
        for backend in backends
    ]
    pool = ThreadPoolExecutor(max_workers=max(min(jobs, len(groups)), 1))

    def checked(job: tuple[list[Unit], str]) -> list[dict]:
        group, backend = job
        records = _run_batch(
            group, table, heavy, write, profiles or {}, limits, backend
        )
        if done is not None and not _STOPPING.is_set():  # not those stopped with it
            done(records)
        return records

    try:
        results = list(pool.map(checked, groups))
    except BaseException:  # interrupted (Ctrl-C, SIGTERM): no worker outlives us
        _STOPPING.set()
        for process in list(_RUNNING):
            kill_group(process)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    by_unit = {
        (id(u), backend): r
        for (group, backend), rs in zip(groups, results)
        for u, r in zip(group, rs)
    }
    return [by_unit[id(unit), backend] for unit in units for backend in backends]


# A process takes seconds to start TensorFlow: split a batch only for this many files each.
PER_PROCESS = 4


def _spread(groups: list[list[Unit]], jobs: int) -> list[list[Unit]]:
    """The batches, the largest split in two while there are cores to spare and each half
    has PER_PROCESS files or more."""
    groups = sorted(groups, key=len, reverse=True)
    while len(groups) < jobs and len(groups[0]) >= 2 * PER_PROCESS:
        largest = groups.pop(0)
        half = len(largest) // 2
        groups += [largest[:half], largest[half:]]
        groups.sort(key=len, reverse=True)
    return groups


# The workers running, to stop with the command; set once it is stopping.
_RUNNING: set[subprocess.Popen] = set()
_STOPPING = threading.Event()


def _run_batch(
    units: list[Unit],
    table: dict,
    heavy: bool,
    write: bool,
    profiles: dict,
    limits: Limits,
    backend: str = "tensorflow",
) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="kgen-check-") as folder:
        request = {
            "units": [asdict(unit) for unit in units],
            "profiles": [{**profiles_for(unit), **profiles} for unit in units],
            "table": table,
            "heavy": heavy,
            "write": write,
            "folder": folder,
        }
        outcome = run_worker(
            request,
            request["units"],
            Path(folder),
            replace(limits, files=len(units)),
            _RUNNING,
            backend,
        )
    if outcome.records is not None:
        # The backend is this process's to say: never the worker's (the user's code).
        return [{**record, "backend": backend} for record in outcome.records]
    if len(units) > 1 and not outcome.limit and not _STOPPING.is_set():
        # One of them ended the process: each alone, to tell which.
        return [
            record
            for unit in units
            for record in _run_batch(
                [unit], table, heavy, write, profiles, limits, backend
            )
        ]
    return [record_of(unit, outcome.error, outcome.limit, backend) for unit in units]


def written_files(records: list[dict]) -> list[PlannedFile]:
    """What `--write` writes: each component's test module beside its module, and the
    support files of that folder (never over the user's own). The worker only names the
    test module: one that would go anywhere else is refused."""
    files: list[PlannedFile] = []
    for record in records:
        folder = Path(record["file"] or "").parent
        for component in record["components"]:
            test = component.get("test_file")
            if test is None:
                continue
            name, content = test.get("name"), test.get("content")
            if not (isinstance(name, str) and _TEST_MODULE.fullmatch(name)):
                raise KgenError(f"{record['target']}: its check named no test module")
            if not isinstance(content, str):
                raise KgenError(f"{record['target']}: its check gave no test module")
            files.append(PlannedFile(folder / name, content))
            files += [f for f in planned_support(folder) if f not in files]
    return files


def record_of(
    unit: Unit, error: str = "", limit: str = "", backend: str = "tensorflow"
) -> dict:
    """A unit's record of the report, before its components are added; `limit`: the
    limit it broke (time, cpu), if that is what ended its checking; `backend`: the one
    Keras ran on."""
    return {
        "target": unit.label,
        "backend": backend,
        "file": unit.file,
        "module": unit.module,
        "error": error,
        "limit": limit,
        "components": [],
    }
