"""`kgen eject KIND`: copy a kind's built-in templates into the project's templates folder,
where they win over kgen's own and can be edited."""

from kgen.errors import KgenError
from kgen.kinds import KINDS
from kgen.project import Project
from kgen.render import TEMPLATES
from kgen.writer import PlannedFile


def plan_eject(project: Project, kind: str) -> list[PlannedFile]:
    if kind not in KINDS:
        raise KgenError(f"unknown kind {kind!r}; expected one of: {', '.join(KINDS)}")
    if project.templates is None:
        raise KgenError(
            f"{project.root / 'pyproject.toml'}: [tool.kgen] names no templates folder; "
            'add one: templates = "kgen_templates"'
        )
    folder = TEMPLATES / KINDS[kind].template_dir
    return [
        PlannedFile(
            project.templates / path.relative_to(TEMPLATES),
            path.read_text(encoding="utf-8"),
        )
        for path in sorted(folder.glob("*.j2"))
    ]
