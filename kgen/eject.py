"""`kgen eject KIND`: copy a kind's built-in templates into the project's templates folder,
where they win over kgen's own and can be edited."""

from pathlib import Path

from kgen.errors import KgenError
from kgen.kinds import kind_named
from kgen.project import PYPROJECT, Project
from kgen.render import TEMPLATES
from kgen.writer import PlannedFile


def plan_eject(project: Project, kind: str, shared: bool = False) -> list[PlannedFile]:
    """The kind's templates (both styles), and with `shared` the ones every kind extends
    or includes (`_module.py.j2`, `_test.py.j2`, `_heavy.j2`, ...), copied as they are.
    """
    the_kind = kind_named(kind)
    folder = the_kind.templates or TEMPLATES / the_kind.template_dir
    if project.templates is None:
        raise KgenError(
            f"{project.root / PYPROJECT}: [tool.kgen] names no templates folder; "
            'add one: templates = "kgen_templates"'
        )
    own = [
        (Path(the_kind.template_dir) / path.name, path)
        for path in sorted(folder.glob("*.j2"))
    ]
    if shared:
        own += [(Path(path.name), path) for path in sorted(TEMPLATES.glob("_*.j2"))]
    return [
        PlannedFile(project.templates / name, path.read_text(encoding="utf-8"))
        for name, path in own
    ]
