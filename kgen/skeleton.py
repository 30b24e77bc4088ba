"""`kgen new NAME`: a component package, rendered by cookiecutter from templates/project."""

import contextlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import jinja2

from kgen.backends import check_backend, default_backend
from kgen.errors import KgenError
from kgen.kinds import KINDS
from kgen.names import check_package_name
from kgen.render import TEMPLATES
from kgen.support import support_contents
from kgen.writer import check_writable

SKELETON = TEMPLATES / "project"
_PROJECT_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?\Z")  # PEP 508


@dataclass(frozen=True)
class NewProject:
    name: str  # the folder and the distribution: my-components
    package: str  # the import name: my_components
    description: str
    author: str = ""
    email: str = ""
    backend: str = "tensorflow"  # the test extra installs it; [tool.kgen] backend

    @property
    def install_command(self) -> str:
        """The README's set-up: PyPI's torch is the CUDA build, PyTorch's index the CPU one."""
        command = 'python -m pip install -e ".[test]"'
        if self.backend == "torch":
            command += " --extra-index-url https://download.pytorch.org/whl/cpu"
        return command


def default_package(name: str) -> str:
    """The import name for a project NAME: cookiecutter.json's default, rendered."""
    return _default("package", project_name=name)


def default_description(package: str) -> str:
    return _default("description", package=package)


def _default(key: str, **answers: str) -> str:
    """The default cookiecutter.json gives `key`, rendered with `answers`: the skeleton's
    defaults have their one definition there."""
    raw = json.loads((SKELETON / "cookiecutter.json").read_text(encoding="utf-8"))[key]
    return jinja2.Environment().from_string(raw).render(cookiecutter=answers)


def make_project(
    name: str,
    package: str | None = None,
    description: str = "",
    author: str = "",
    email: str = "",
    backend: str | None = None,
) -> NewProject:
    """The validated answers to what cookiecutter would ask."""
    if not _PROJECT_NAME.match(name):
        raise KgenError(
            f"NAME {name!r} is not a project name; use letters, digits, '-', '_' and '.', "
            "starting and ending with a letter or digit"
        )
    if package is None:  # "" is the user's, and refused as no package name
        package = default_package(name)
    check_package_name(package, "--package" if package != name else "NAME")
    for option, value in (
        ("--description", description),
        ("--author", author),
        ("--email", email),
    ):
        if not value.isprintable():
            raise KgenError(f"{option} must be one line of printable text")
    if backend is None:
        backend = default_backend()
    check_backend(backend, "--backend")
    return NewProject(
        name,
        package,
        description or default_description(package),
        author,
        email,
        backend,
    )


def create_project(project: NewProject, out: Path) -> list[Path]:
    """Render the skeleton into `out/NAME`, which must not exist; all of it or nothing.
    Returns the files written, in order."""
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.generate import generate_context, generate_files

    target = out / project.name
    if target.exists() or target.is_symlink():
        raise KgenError(f"{target} already exists; choose another NAME or --out")
    check_writable(out, "--out")
    made = [folder for folder in (out, *out.parents) if not folder.exists()]
    # The answers go in as given: cookiecutter would render a Jinja expression in an answer,
    # so it is not asked to fill in defaults (kgen has worked them out).
    context = generate_context(
        str(SKELETON / "cookiecutter.json"),
        extra_context={
            "project_name": project.name,
            "package": project.package,
            "description": project.description,
            "author": project.author,
            "email": project.email,
            "backend": project.backend,
            "install_command": project.install_command,
            "_subpackages": " ".join(sorted({k.subpackage for k in KINDS.values()})),
        },
    )
    staging = None
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".kgen-new-", dir=out))
        with _temporary_files_in(staging):
            generate_files(str(SKELETON), context, output_dir=str(staging))
        rendered = staging / project.name
        for name, content in support_contents().items():
            (rendered / "tests" / name).write_text(content, encoding="utf-8")
        os.rename(rendered, target)  # no partial project is ever visible at `target`
    except (OSError, CookiecutterException) as error:
        _remove(staging, made)
        reason = error.strerror if isinstance(error, OSError) else error
        raise KgenError(f"cannot create {target}: {reason}") from None
    _remove(staging, [])
    return sorted(path for path in target.rglob("*") if path.is_file())


@contextlib.contextmanager
def _temporary_files_in(folder: Path):
    """cookiecutter leaves each hook it runs, rendered, in the temporary folder
    (NamedTemporaryFile(delete=False)): made here, they go with the staging folder."""
    shared, tempfile.tempdir = tempfile.tempdir, str(folder.resolve())
    try:
        yield
    finally:
        tempfile.tempdir = shared


def _remove(staging: Path | None, made: list[Path]) -> None:
    """Remove the staging folder, and the folders made for `--out`, innermost first."""
    if staging is not None:
        shutil.rmtree(staging, ignore_errors=True)
    for folder in made:
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
