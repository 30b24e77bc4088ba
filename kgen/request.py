"""The one way in: a request (kind, name, params, options, where) becomes its validated spec
and the files it writes, with the project's settings applied. The CLI, `kgen build` and the
Python API all go through `plan_requests`."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kgen.backends import default_backend
from kgen.collisions import refuse_duplicates, refuse_in_folder
from kgen.errors import KgenError
from kgen.generate import Target
from kgen.parallel import plan_each
from kgen.paths import check_resolves
from kgen.project import Project, find_project
from kgen.spec import DEFAULT_PACKAGE, ComponentSpec, make_spec
from kgen.writer import Action, PlannedFile, plan_actions, write_files

if TYPE_CHECKING:
    from kgen.placement import Placement


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
    # The test profile, as a build spec's [component.test] table (kgen.profile).
    test: dict[str, object] = field(default_factory=dict)
    extra: str = ""  # class members besides the generated methods
    module_extra: str = ""  # module-level code after the class
    signatures: dict[str, str] = field(default_factory=dict)
    imports: tuple[str, ...] = ()
    base_defaults: dict[str, object] = field(default_factory=dict)
    out: Path | None = (
        None  # in a project, the kind's subpackage; else the folder run in
    )
    tests_dir: Path | None = (
        None  # in a project, tests/<subpackage>; else beside the module
    )
    with_tests: bool = True
    backend: str | None = None  # the project's backend, else KERAS_BACKEND, else TF
    # Whether KERAS_BACKEND may choose the backend: not for a checked-in build spec.
    backend_from_environment: bool = True


def spec_of(request: Request, project: Project | None) -> ComponentSpec:
    """The validated spec, with the project's package, explain and templates as defaults."""
    package = request.package
    if package is None:  # "" is the user's, and refused as no package name
        package = project.package if project else DEFAULT_PACKAGE
    explain = request.explain
    if explain is None:
        explain = bool(project and project.explain)
    backend = request.backend or default_backend(
        project.backend if project else None,
        environment=request.backend_from_environment,
    )
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
        test=request.test,
        extra=request.extra,
        module_extra=request.module_extra,
        signatures=request.signatures,
        imports=request.imports,
        base_defaults=request.base_defaults,
        backend=backend,
    )


@dataclass(frozen=True)
class Plan:
    """What requests write. Loose files (outside a project, or where `out` leads out of
    it) are written as they are; components placed in a project are planned again under
    its lock, from its files as they are then, and written as one transaction."""

    loose: list[PlannedFile]
    project: Project | None = None
    placements: tuple["Placement", ...] = ()

    def files(self) -> list[PlannedFile]:
        """Every file as things stand: what --dry-run shows and --check compares."""
        return self.loose + self._placed()[0]

    def apply(self, force: bool = False) -> list[Action]:
        """Write it all; what was done to each file (and each folder removed)."""
        actions = plan_actions(self.loose, force=force)
        write_files(self.loose, actions)
        if self.placements:
            from kgen.transaction import apply_in_project

            actions += apply_in_project(self.project.root, self._placed, force=force)
        return actions

    def _placed(self) -> tuple[list[PlannedFile], list[Path]]:
        if not self.placements:
            return [], []
        from kgen.placement import plan_placements

        return plan_placements(self.project, list(self.placements))


def plan_requests(requests: list[Request], folder: Path) -> Plan:
    """What the requests write, run from `folder`: inside a project, placed in it with
    their exports and manifest records; elsewhere, where each request says. Two requests
    that would register the same name, or write the same file, are refused."""
    for request in requests:
        for option, path in (
            ("--out", request.out),
            ("--tests-dir", request.tests_dir),
        ):
            if path is not None:
                check_resolves(path, option)
    project = find_project(folder)
    specs = [spec_of(request, project) for request in requests]
    refuse_duplicates(specs)
    loose: list[PlannedFile] = []
    placements = []
    if project is None:
        outs = [
            request.out if request.out is not None else folder for request in requests
        ]
        targets = [
            Target(
                out=out,
                tests_dir=request.tests_dir,
                with_tests=request.with_tests,
                siblings=frozenset(
                    spec.names.module
                    for spec, other in zip(specs, outs, strict=True)
                    if other == out
                ),
            )
            for request, out in zip(requests, outs, strict=True)
        ]
        for spec, files in zip(specs, plan_each(specs, targets), strict=True):
            refuse_in_folder(spec, files[0].path.parent)
            loose += [f for f in files if f not in loose]
    else:
        from kgen.placement import place_in_project  # only inside a project

        for spec, request in zip(specs, requests, strict=True):
            placement = place_in_project(
                spec,
                project,
                out=request.out,
                tests_dir=request.tests_dir,
                with_tests=request.with_tests,
            )
            if placement.inside:
                placements.append(placement)
            else:  # --out leads out of the project: loose files, with no record
                refuse_in_folder(spec, placement.files[0].path.parent)
                loose += [f for f in placement.files if f not in loose]
    paths = [f.path for f in loose]
    twice = sorted({str(p) for p in paths if paths.count(p) > 1})
    if twice:
        raise KgenError(f"two components write {', '.join(twice)}")
    return Plan(loose, project, tuple(placements))
