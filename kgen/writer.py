"""Plan and write files outside a project (loose modules): each file atomically, and a
clean failure leaves no temporary file. Inside a project, kgen.transaction writes."""

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kgen.errors import KgenError
from kgen.paths import read_text, reason


@dataclass(frozen=True)
class PlannedFile:
    """A file to write, or with `content` None, to remove.

    `existing` says what to do with a file already there that differs: "conflict" (refuse
    unless forced), "keep" (a shared file such as conftest.py, never overwritten) or
    "update" (a file kgen edits in place, such as a package's `__init__.py`).
    """

    path: Path
    content: str | None
    existing: str = "conflict"


@dataclass(frozen=True)
class Action:
    verb: str  # create, overwrite, update, identical, conflict, skip, remove
    path: Path


def plan_actions(files: list[PlannedFile], force: bool = False) -> list[Action]:
    _refuse_file_as_folder(files)
    actions = []
    for file in files:
        if file.path.is_dir():
            raise KgenError(f"{file.path} is a directory")
        if file.content is None:
            verb = "remove"
        elif not file.path.exists():
            verb = "create"
        elif read_text(file.path) == file.content:
            verb = "identical"
        elif file.existing == "keep":
            verb = "skip"
        elif file.existing == "update":
            verb = "update"
        else:
            verb = "overwrite" if force else "conflict"
        actions.append(Action(verb, file.path))
    return actions


def _refuse_file_as_folder(files: list[PlannedFile]) -> None:
    """A file that another planned file would need as its folder (`--tests-dir huber.py`)."""
    written = {os.path.abspath(f.path): f.path for f in files if f.content is not None}
    for file in files:
        for folder in Path(os.path.abspath(file.path)).parents:
            if str(folder) in written:
                raise KgenError(
                    f"{written[str(folder)]} would be both a file and the folder of "
                    f"{file.path}; choose another folder"
                )


def check_writable(directory: Path, option: str) -> None:
    """Refuse, before anything is written, a target that is a file or cannot be created."""
    for parent in (directory, *directory.parents):
        if parent.exists():
            if not parent.is_dir():
                raise KgenError(
                    f"{option} {directory}: {parent} is a file, not a directory"
                )
            if not os.access(parent, os.W_OK | os.X_OK):
                raise KgenError(f"{option} {directory}: {parent} is not writable")
            return


def refuse_conflicts(actions: list[Action]) -> None:
    conflicts = [a for a in actions if a.verb == "conflict"]
    if conflicts:
        paths = ", ".join(str(a.path) for a in conflicts)
        raise KgenError(f"{paths} already exists and differs; use --force to overwrite")


def write_files(files: list[PlannedFile], actions: list[Action]) -> None:
    """Write every file whose action is create, overwrite or update; if staging any of
    them fails, change nothing."""
    refuse_conflicts(actions)
    staged: list[tuple[str, Path]] = []
    made: list[Path] = []  # folders this call creates, removed again if anything fails
    path = None
    try:
        for file, action in zip(files, actions, strict=True):
            if action.verb in ("create", "overwrite", "update"):
                path = file.path
                _make_folder(path.parent, made)
                # A short name of kgen's own: the file's name plus a suffix may be too long.
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".kgen-")
                staged.append((tmp, path))
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(file.content)
    except OSError as error:
        for tmp, _ in staged:
            os.unlink(tmp)
        for folder in reversed(made):
            folder.rmdir()
        raise KgenError(f"cannot write {path}: {reason(error)}") from None
    mode = new_file_mode()
    try:
        for tmp, path in staged:
            os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else mode)
            os.replace(tmp, path)
    except OSError as error:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise KgenError(f"cannot write {path}: {reason(error)}") from None


def _make_folder(folder: Path, made: list[Path]) -> None:
    """Create `folder` and its missing parents, outermost first, noting each in `made`."""
    for path in [p for p in (folder, *folder.parents) if not p.exists()][::-1]:
        path.mkdir()
        made.append(path)


def new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
