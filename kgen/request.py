"""The one way in: a request (kind, name, params, options, where) becomes its validated spec
and the files it writes, with the project's settings applied. The CLI, `kgen build` and the
Python API all go through `plan_requests`."""

from dataclasses import dataclass, field
from pathlib import Path

from kgen.errors import KgenError
from kgen.generate import Target, plan
from kgen.project import Project, find_project
from kgen.spec import DEFAULT_PACKAGE, ComponentSpec, make_spec
from kgen.writer import PlannedFile


@dataclass(frozen=True)
class Request:
    """One component as a user asks for it. None means: the project's setting, or kgen's
    default outside a project."""

    kind: str
    name: str
    params: tuple[str, ...] = ()
    package: str | None = None  # the project's package, else Keras's "Custom"
    style: str | None = None  # the kind's default style
    explain: bool | None = None  # the project's `explain`, else no
    summary: str = ""
    docs: dict[str, str] = field(default_factory=dict)
    bodies: dict[str, str] = field(default_factory=dict)
    input_shape: str = ""
    output_shape: str = ""
    reference: str = ""
    out: Path | None = None  # in a project, the kind's subpackage; else the folder run in
    tests_dir: Path | None = None  # in a project, tests/<subpackage>; else beside the module
    with_tests: bool = True


def spec_of(request: Request, project: Project | None) -> ComponentSpec:
    """The validated spec, with the project's package, explain and templates as defaults."""
    package = request.package or (project.package if project else DEFAULT_PACKAGE)
    explain = request.explain
    if explain is None:
        explain = bool(project and project.explain)
    return make_spec(
        request.kind,
        request.name,
        request.params,
        package,
        summary=request.summary,
        param_docs=request.docs,
        bodies=request.bodies,
        input_shape=request.input_shape,
        output_shape=request.output_shape,
        style=request.style,
        explain=explain,
        user_templates=project.templates if project else None,
        reference=request.reference,
    )


def plan_requests(requests: list[Request], folder: Path) -> list[PlannedFile]:
    """Every file the requests write, run from `folder`: inside a project, placed in it
    with their exports and manifest records; elsewhere, where each request says."""
    project = find_project(folder)
    specs = [spec_of(request, project) for request in requests]
    if project is not None:
        from kgen.placement import plan_in_project  # only inside a project

        return plan_in_project(list(zip(specs, requests, strict=True)), project)
    files: list[PlannedFile] = []
    for spec, request in zip(specs, requests, strict=True):
        target = Target(
            out=request.out if request.out is not None else folder,
            tests_dir=request.tests_dir,
            with_tests=request.with_tests,
        )
        files += [f for f in plan(spec, target) if f not in files]
    paths = [f.path for f in files]
    twice = sorted({str(p) for p in paths if paths.count(p) > 1})
    if twice:
        raise KgenError(f"two components write {', '.join(twice)}")
    return files
