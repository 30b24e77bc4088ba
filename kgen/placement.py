"""Generating inside a project: where the files go, the export, the manifest record."""

from dataclasses import replace
from pathlib import Path

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


def plan_in_project(
    spec: ComponentSpec,
    project: Project,
    *,
    out: Path | None = None,
    tests_dir: Path | None = None,
    with_tests: bool = True,
) -> list[PlannedFile]:
    """The component's files, placed by the project unless `out` or `tests_dir` say
    otherwise, then its export (when kgen placed the module) and the manifest."""
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
        installed=_inside(out, project.package_dir),
    )
    files = plan(spec, target)
    own = [file for file in files if file.existing == "conflict"]  # not conftest.py
    record = Record(
        files={project.relative(f.path): digest(f.content) for f in own},
        folders=_new_folders(own, project),
    )
    if placed:
        init = out / "__init__.py"
        statement = export_statement(spec)
        where = project.relative(init)
        current = _read_init(init, where)
        files.append(
            PlannedFile(init, with_export(current, statement, where), existing="update")
        )
        record = replace(record, export_file=where, export=statement)
    records = read_manifest(project)
    records[key(spec.kind.name, spec.names.module)] = record
    files.append(
        PlannedFile(manifest_path(project), manifest_text(records), existing="update")
    )
    return files


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
