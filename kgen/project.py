"""A kgen project: the nearest `pyproject.toml` upward holding a `[tool.kgen]` table.

Inside one, a component goes into the package's subpackage for its kind, its test into the
matching folder under `tests/`, and it is registered under the project's package.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from kgen.backends import check_backend
from kgen.errors import KgenError
from kgen.names import check_package_name
from kgen.paths import confined, reason
from kgen.tomlfile import parse_toml

PYPROJECT = "pyproject.toml"
# Where a pyproject.toml may start a [tool.kgen] table: a broken file without one is not a
# kgen project, and must not stop loose generation below it.
_MENTIONS_KGEN = re.compile(r"^\s*\[\s*tool\s*\.\s*kgen\b|\bkgen\s*=", re.MULTILINE)
_KEYS = (
    "package",
    "templates",
    "explain",
    "backend",
    "test",
)  # [tool.kgen]; the README says what each means


@dataclass(frozen=True)
class Project:
    root: Path
    package: str  # demo: src/demo/, registered as "demo>Huber"
    templates: Path | None = None  # user templates, absolute
    explain: bool = False
    backend: str | None = None  # the model kind's train_step, and kgen check's backend
    # [tool.kgen.test.NAME]: the test profile of a component, by its class's name, for
    # kgen check (a build spec's [component.test] keys).
    tests: dict[str, dict] = field(default_factory=dict, compare=False)

    @property
    def package_dir(self) -> Path:
        return self.root / "src" / self.package

    def module_dir(self, subpackage: str) -> Path:
        return self.package_dir / subpackage

    def tests_dir(self, subpackage: str) -> Path:
        return self.root / "tests" / subpackage

    @property
    def conftest_dir(self) -> Path:
        return self.root / "tests"

    def relative(self, path: Path) -> str:
        """`path` as the manifest stores it: relative to the root, with slashes (absolute
        if it is outside, as a message may name it)."""
        path = path.resolve()
        if path.is_relative_to(self.root):
            return path.relative_to(self.root).as_posix()
        return path.as_posix()


def find_project(start: Path) -> Project | None:
    """The project `start` is in, or None. A pyproject.toml without [tool.kgen] is passed
    over, broken or not, as a folder of loose components may sit inside any Python
    repository."""
    try:
        start = start.resolve()
    except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop
        raise KgenError(f"cannot resolve {start}: {error}") from None
    for folder in (start, *start.parents):
        pyproject = folder / PYPROJECT
        if pyproject.is_file():
            project = load_project(pyproject)
            if project is not None:
                return project
    return None


def load_project(pyproject: Path) -> Project | None:
    try:
        raw = pyproject.read_bytes()
    except OSError as error:
        raise KgenError(f"cannot read {pyproject}: {reason(error)}") from None
    try:
        data = parse_toml(raw.decode("utf-8"), str(pyproject))
    except (UnicodeDecodeError, KgenError) as error:
        if not _MENTIONS_KGEN.search(raw.decode("utf-8", "replace")):
            return None
        if isinstance(error, KgenError):
            raise
        raise KgenError(f"{pyproject}: not valid TOML: {error}") from None
    tool = data.get("tool", {})
    table = tool.get("kgen") if isinstance(tool, dict) else None  # `tool = 1`: not ours
    if table is None:
        return None
    where = f"{pyproject}: [tool.kgen]"
    if not isinstance(table, dict):
        raise KgenError(f"{where} must be a table")
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise KgenError(
            f"{where}: unknown keys {', '.join(map(repr, unknown))}; allowed: {', '.join(_KEYS)}"
        )
    package = table.get("package")
    if not isinstance(package, str):
        raise KgenError(
            f'{where}: package must be given, as a string: package = "demo"'
        )
    check_package_name(package, f"{where}: package")
    templates = table.get("templates")
    if templates is not None and not isinstance(templates, str):
        raise KgenError(f"{where}: templates must be a folder name, as a string")
    explain = table.get("explain", False)
    if not isinstance(explain, bool):
        raise KgenError(f"{where}: explain must be true or false")
    backend = table.get("backend")
    if backend is not None:
        if not isinstance(backend, str):
            raise KgenError(f'{where}: backend must be a string, such as "jax"')
        check_backend(backend, f"{where}: backend")
    tests = table.get("test", {})
    if not isinstance(tests, dict) or not all(
        isinstance(profile, dict) for profile in tests.values()
    ):
        raise KgenError(
            f"{where}: test must hold a table per component, such as "
            "[tool.kgen.test.FocalLoss]"
        )
    root = pyproject.parent.resolve()
    project = Project(
        root=root,
        package=package,
        templates=(
            confined(root, templates, f"{where}: templates") if templates else None
        ),
        explain=explain,
        backend=backend,
        tests=tests,
    )
    if not (project.package_dir / "__init__.py").is_file():
        raise KgenError(
            f"{where}: package {package!r}, but {project.package_dir}/__init__.py is missing"
        )
    return project


def require_project(start: Path, command: str) -> Project:
    project = find_project(start)
    if project is None:
        raise KgenError(
            f"kgen {command} works inside a project: no {PYPROJECT} with a [tool.kgen] "
            f"table in {start.resolve()} or above (start one with: kgen new NAME)"
        )
    return project
