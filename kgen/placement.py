"""Generating inside a project: where the files go, the export, the manifest record."""

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

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
from kgen.project import Project
from kgen.spec import ComponentSpec
from kgen.writer import PlannedFile

if TYPE_CHECKING:
    from kgen.request import Request


def plan_in_project(
    specs: list[tuple[ComponentSpec, "Request"]], project: Project
) -> list[PlannedFile]:
    """The components' files, each placed by the project unless its request says where,
    then the exports (of the modules kgen placed) and the manifest, all in one plan."""
    files: list[PlannedFile] = []
    inits: dict[Path, str] = {}
    records = read_manifest(project)
    for spec, request in specs:
        own, record, init = _place(spec, project, request)
        files += [f for f in own if f not in files]
        records[key(spec.kind.name, spec.names.module)] = record
        if init is not None:
            where = project.relative(init)
            current = inits[init] if init in inits else _read_init(init, where)
            inits[init] = with_export(current, record.export, where)
    files += [PlannedFile(i, text, existing="update") for i, text in inits.items()]
    files.append(
        PlannedFile(manifest_path(project), manifest_text(records), existing="update")
    )
    return files


def _place(
    spec: ComponentSpec, project: Project, request: "Request"
) -> tuple[list[PlannedFile], Record, Path | None]:
    """One component's files, its manifest record, and the `__init__.py` that exports it
    (None when the request put the module somewhere of the user's choosing)."""
    out, tests_dir = request.out, request.tests_dir
    subpackage = spec.kind.subpackage
    placed = out is None
    out = project.module_dir(subpackage) if placed else out
    if tests_dir is None and placed:
        tests_dir = project.tests_dir(subpackage)
    target = Target(
        out=out,
        tests_dir=tests_dir,
        with_tests=request.with_tests,
        conftest_dir=project.conftest_dir if placed else None,
        installed=_inside(out, project.package_dir),
    )
    files = plan(spec, target)
    own = [file for file in files if file.existing == "conflict"]  # not conftest.py
    record = Record(
        files={project.relative(f.path): digest(f.content) for f in own},
        folders=_new_folders(own, project),
    )
    if not placed:
        return files, record, None
    init = out / "__init__.py"
    statement = export_statement(spec)
    return files, replace(record, export_file=project.relative(init), export=statement), init


def _read_init(init: Path, where: str) -> str:
    if not init.is_file():
        raise KgenError(
            f"{where} is missing: the project's subpackage for this kind is gone "
            "(restore it, or give --out)"
        )
    return init.read_text(encoding="utf-8")


def _inside(folder: Path, parent: Path) -> bool:
    return folder.resolve().is_relative_to(parent.resolve())


def _new_folders(files: list[PlannedFile], project: Project) -> tuple[str, ...]:
    """The folders that writing `files` will create, as the manifest names them, innermost
    first."""
    made = set()
    for file in files:
        for folder in file.path.resolve().parents:
            if folder.exists():
                break
            made.add(folder)
    return tuple(
        project.relative(f) for f in sorted(made, key=lambda f: (-len(f.parts), f))
    )
