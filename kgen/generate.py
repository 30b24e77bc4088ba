"""The pipeline: spec -> render -> format -> check -> planned files. Writing is the caller's step."""

import os
from dataclasses import dataclass, replace
from pathlib import Path

from kgen.bodies import check_bodies_compile
from kgen.clashes import check_module_names, check_test_names
from kgen.formatting import format_source, parsed
from kgen.lint import check_names
from kgen.names import check_path_length
from kgen.render import render
from kgen.spec import ComponentSpec
from kgen.support import planned_support
from kgen.writer import PlannedFile, check_writable


@dataclass(frozen=True)
class Target:
    """Where the module and its test go."""

    out: Path
    tests_dir: Path | None = None  # None: beside the module
    with_tests: bool = True
    conftest_dir: Path | None = None  # None: beside the tests
    # The module's package is installed (in a project): tests import it by name.
    installed: bool = False
    # Modules written beside this one by the same command: the user's own, to imports.
    siblings: frozenset[str] = frozenset()
    # A hand-written module the tests import (kgen check): the folder to put on sys.path
    # (None: importable as it is, as keras.losses is) and its dotted name.
    import_from: tuple[Path | None, str] | None = None

    @property
    def test_dir(self) -> Path:
        return self.tests_dir if self.tests_dir is not None else self.out


# The templates of a component, by style: the kind's module and the style's tests, which
# include the kind's own checks (<kind>/checks.py.j2).
TEMPLATES_BY_STYLE = {
    "class": ("{kind}/module.py.j2", "_test.py.j2"),
    "function": ("{kind}/function.py.j2", "_function_test.py.j2"),
    "functional": ("{kind}/functional.py.j2", "_test.py.j2"),
}


def template_of(spec: ComponentSpec, which: int) -> str:
    """The module's (0) or the test's (1) template of `spec`; a kind whose component the
    shared tests cannot use in a model (no `model_setup`) brings <kind>/test.py.j2."""
    if which == 1 and spec.kind.model_setup is None:
        return f"{spec.kind.template_dir}/test.py.j2"
    return TEMPLATES_BY_STYLE[spec.style][which].format(kind=spec.kind.template_dir)


def module_source(spec: ComponentSpec) -> str:
    template = template_of(spec, 0)
    check_bodies_compile(spec, lambda marked: render(template, marked))
    source = format_source(
        render(template, spec, own_imports=True),
        spec.names.module_file,
        spec.from_templates_alone,
    )
    check_module_names(source, spec.names.module_file)
    if not spec.from_templates_alone:
        check_names(source, spec.names.module_file, spec)
    return source


def test_source(spec: ComponentSpec, target: Target, shown: bool = True) -> str:
    """The test module's source; in black's style if `shown` (a module kgen check only
    runs is not read: black's time is saved)."""
    module_root, import_name = target.import_from or _import_location(
        target.out, spec.names.module
    )
    sys_path = None
    if (
        module_root is not None
        and not target.installed
        and module_root.resolve() != target.test_dir.resolve()
    ):
        sys_path = Path(
            os.path.relpath(module_root.resolve(), target.test_dir.resolve())
        )
    # In a project the harness sits in tests/, outside the package: a third-party import.
    source = render(
        template_of(spec, 1),
        spec,
        third_party=("kgen_harness",) if target.installed else (),
        import_name=import_name,
        sys_path=sys_path,
        installed=target.installed,
    )
    if shown:
        source = format_source(source, spec.names.test_file, spec.from_templates_alone)
    else:
        source = parsed(source, spec.names.test_file)
    check_test_names(source, import_name, spec.names.test_file)
    if not spec.from_templates_alone:
        check_names(source, spec.names.test_file, spec)
    return source


def plan(spec: ComponentSpec, target: Target) -> list[PlannedFile]:
    if spec.imports:
        spec = replace(spec, local_modules=_local_modules(spec, target))
    check_path_length(target.out / spec.names.module_file)
    check_path_length(target.test_dir / spec.names.test_file)
    check_writable(target.out, "--out")
    files = [PlannedFile(target.out / spec.names.module_file, module_source(spec))]
    if target.with_tests:
        check_writable(target.test_dir, "--tests-dir")
        files.append(
            PlannedFile(
                target.test_dir / spec.names.test_file, test_source(spec, target)
            )
        )
        support = target.conftest_dir or target.test_dir
        files += planned_support(support, spec.user_templates)
    return files


def _local_modules(spec: ComponentSpec, target: Target) -> frozenset[str]:
    """The top-level modules that are the user's own, as ruff's isort tells first-party
    ones: the package the module is in (or the module itself), what lies beside it,
    and what the same command writes there."""
    root, import_name = _import_location(target.out, spec.names.module)
    found = {import_name.split(".")[0], *target.siblings}
    if root.is_dir():
        found |= {
            path.stem if path.suffix == ".py" else path.name
            for path in root.iterdir()
            if path.suffix == ".py" or (path / "__init__.py").is_file()
        }
    return frozenset(found)


def _import_location(out: Path, module: str) -> tuple[Path, str]:
    """The folder to put on sys.path and the dotted name of the module, packages included."""
    parts = [module]
    folder = out.resolve()
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        parts.insert(0, folder.name)
        folder = folder.parent
    return folder, ".".join(parts)
