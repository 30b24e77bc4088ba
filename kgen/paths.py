"""Reading files and naming paths safely: one line for any I/O failure, and no path from a
project's state or settings that leads outside the project."""

from pathlib import Path, PurePosixPath

from kgen.errors import KgenError

# Folders a project's state may never name: git's own, and kgen's private one.
PRIVATE = frozenset({".git", ".kgen"})


def read_text(path: Path, shown: str | None = None) -> str:
    """The UTF-8 text of `path`; any failure is a KgenError naming `shown` (or the path)."""
    shown = shown or str(path)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise KgenError(
            f"cannot read {shown}: not UTF-8 text "
            f"(byte {error.object[error.start]:#04x} at offset {error.start})"
        ) from None
    except OSError as error:
        raise KgenError(f"cannot read {shown}: {reason(error)}") from None


def reason(error: OSError) -> str:
    return error.strerror or str(error)


def check_resolves(path: Path, option: str) -> None:
    """Refuse a path given on the command line that cannot be resolved (a symlink loop)."""
    try:
        path.resolve()
    except (OSError, RuntimeError) as error:  # RuntimeError: a loop, before Python 3.13
        raise KgenError(f"{option} {path}: {error}") from None


def is_inside(root: Path, path: Path) -> bool:
    """Whether `path`, symlinks followed, is `root` or below it (a symlink loop is not)."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        return False


def confined(root: Path, relative: object, where: str) -> Path:
    """`root / relative` for a path read from the project's state or settings, refused
    unless it is a relative path that stays inside the project, symlinks followed."""
    if not isinstance(relative, str) or not relative:
        raise KgenError(f"{where}: expected a path, got {relative!r}")
    parts = PurePosixPath(relative).parts
    if (
        PurePosixPath(relative).is_absolute()
        or ".." in parts
        or "\\" in relative
        or PRIVATE & set(parts)
    ):
        raise KgenError(f"{where}: {relative!r} is not a path inside the project")
    path = root / relative
    if not is_inside(root, path):
        raise KgenError(
            f"{where}: {relative!r} leads outside the project (through a symlink)"
        )
    return path


def shown(root: Path, path: Path) -> str:
    """`path` relative to `root` when it is below it, as messages name it."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
