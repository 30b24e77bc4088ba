"""Generating inside a project: where the files go, the export, the manifest record.

Rendering happens first, outside the project's lock; what depends on the project's state
(the manifest, the `__init__.py` that exports, the folders to make) is planned by
`plan_placements`, which the transaction calls under the lock.
"""

from dataclasses import dataclass, replace
from pathlib import Path

from kgen.collisions import refuse_in_folder, refuse_in_project
from kgen.errors import KgenError
from kgen.exports import export_statement, with_export
from kgen.generate import Target, plan
from kgen.manifest import (
    Record,
    digest,
    key,
    manifest_path,
    manifest_text,
    read_manifest,
)
from kgen.paths import is_inside, read_text
from kgen.project import Project
from kgen.spec import ComponentSpec
from kgen.writer import PlannedFile


@dataclass(frozen=True)
class Placement:
    """A rendered component and where it goes in a project. `inside` is false when
    `--out` or `--tests-dir` lead outside the project: those files are written as loose
    modules, with no export and no record (destroy never touches anything outside). A
    module kgen places (no `--out`) keeps its test inside too."""

    spec: ComponentSpec
    project: Project
    files: list[PlannedFile]  # the module, its test, conftest.py
    init: Path | None  # the `__init__.py` that exports it, when kgen placed the module
    inside: bool


def plan_placements(
    project: Project, placements: list[Placement]
) -> tuple[list[PlannedFile], list[Path]]:
    """The components' files, their exports and the manifest, from the project as it is
    now (call under the project's lock), as one plan; no folder to remove. A component
    whose registered name or files another has, recorded or earlier in the list, is
    refused."""
    files: list[PlannedFile] = []
    inits: dict[Path, str] = {}
    records = read_manifest(project)
    for placement in placements:
        spec = placement.spec
        refuse_in_folder(spec, placement.files[0].path.parent)
        own_key = key(spec.kind.name, spec.names.module)
        own = [f for f in placement.files if f.existing == "conflict"]  # not conftest
        record = Record(
            files={project.relative(f.path): digest(f.content) for f in own},
            folders=_folders(own, project, records.get(own_key)),
            registered=spec.registered_name,
            test=spec.profile.to_table(),
        )
        refuse_in_project(spec, own_key, set(record.files), records)
        files += [f for f in placement.files if f not in files]
        if placement.init is not None:
            statement = export_statement(spec)
            where = project.relative(placement.init)
            if placement.init not in inits:
                inits[placement.init] = _read_init(placement.init, where)
            inits[placement.init] = with_export(inits[placement.init], statement, where)
            record = replace(record, export_file=where, export=statement)
        records[own_key] = record
    files += [PlannedFile(i, text, existing="update") for i, text in inits.items()]
    files.append(
        PlannedFile(manifest_path(project), manifest_text(records), existing="update")
    )
    return files, []


def place_in_project(
    spec: ComponentSpec,
    project: Project,
    *,
    out: Path | None = None,
    tests_dir: Path | None = None,
    with_tests: bool = True,
) -> Placement:
    """The component rendered and placed by the project, unless `out` or `tests_dir` say
    otherwise."""
    subpackage = spec.kind.subpackage
    placed = out is None
    out = project.module_dir(subpackage) if placed else out
    if tests_dir is None and placed:
        tests_dir = project.tests_dir(subpackage)
    target = Target(
        out=out,
        tests_dir=tests_dir,
        with_tests=with_tests,
        conftest_dir=project.conftest_dir if placed else None,
        installed=is_inside(project.package_dir, out),
    )
    files = plan(spec, target)
    inside = all(is_inside(project.root, f.path) for f in files)
    if placed and not inside:
        raise KgenError(
            f"--tests-dir {tests_dir} leads outside the project {project.root}: a module "
            "kgen places in the project keeps its test in it (give --out too, to write "
            "both as loose files)"
        )
    return Placement(
        spec, project, files, out / "__init__.py" if placed else None, inside
    )


def _read_init(init: Path, where: str) -> str:
    if not init.is_file():
        raise KgenError(
            f"{where} is missing: the project's subpackage for this kind is gone "
            "(restore it, or give --out)"
        )
    return read_text(init, where)


def _folders(
    files: list[PlannedFile], project: Project, earlier: Record | None
) -> tuple[str, ...]:
    """The folders that writing `files` will create, and those an earlier run of the same
    component recorded (they exist now, but generating made them), innermost first."""
    made = {project.relative(f) for f in _missing(files)}
    made |= set(earlier.folders if earlier else ())
    return tuple(sorted(made, key=lambda f: (-f.count("/"), f)))


def _missing(files: list[PlannedFile]) -> set[Path]:
    made = set()
    for file in files:
        for folder in file.path.resolve().parents:
            if folder.exists():
                break
            made.add(folder)
    return made
