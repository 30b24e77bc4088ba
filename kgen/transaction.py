"""Changing a project's files as one transaction, under the project's lock.

Git's way: under `.kgen/lock`, each new content (and a copy of each file it replaces or
removes) is written and fsynced into `.kgen/staged/`; then `.kgen/journal.json`, listing
every change, is written and fsynced: the commit point. Then each file is put in place with
os.replace, and the journal is removed. A run killed before the commit point changed no
user file (the next run clears `.kgen/staged/`); one killed after it is finished by the next
run, which replays the journal (every step can be repeated). A clean failure while putting
files in place restores the copies (roll back), so the project is as before.

The plan is made under the lock, from the files as they are then: two runs never both
read the same manifest or `__init__.py` and write back their own version of it.
"""

import errno
import json
import os
import shutil
import signal
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from kgen.errors import KgenError
from kgen.paths import PRIVATE, confined, is_inside, reason, shown
from kgen.writer import (
    Action,
    PlannedFile,
    new_file_mode,
    plan_actions,
    refuse_conflicts,
)

STATE = ".kgen"  # at the project's root; its .gitignore leaves it out
LOCK_TIMEOUT = 60  # seconds another run may hold the lock before this one gives up
_WRITES = ("create", "overwrite", "update")


@dataclass(frozen=True)
class Change:
    """One file of the journal, relative to the root. `new` names the staged content (None:
    the file is removed); `old` the copy of what was there (None: nothing was)."""

    path: str
    new: str | None
    old: str | None


@dataclass(frozen=True)
class Journal:
    direction: str  # "forward": finish the change; "back": undo it
    changes: list[Change]
    made: list[str]  # folders the change creates, innermost first
    prune: list[str]  # folders to remove once they hold nothing but __pycache__


Plan = Callable[[], tuple[list[PlannedFile], list[Path]]]


def apply_in_project(root: Path, make_plan: Plan, force: bool = False) -> list[Action]:
    """Under the lock: finish or undo an interrupted run, make the plan (the files to write
    or remove, and the folders to remove once empty), and apply it as one transaction.
    Returns what was done, a `remove` action for each folder removed last."""
    with _locked(root):
        recover(root)
        files, prune = make_plan()
        for file in files:
            if not is_inside(root, file.path):
                raise KgenError(
                    f"{file.path} is outside the project; kgen changes nothing there"
                )
            if _private(root, file.path):
                raise KgenError(
                    f"{file.path} is in git's folder or kgen's own; kgen writes nothing "
                    "there (choose another --out or --tests-dir)"
                )
        actions = plan_actions(files, force=force)
        refuse_conflicts(actions)
        _refuse_unwritable(root, files, actions)
        journal = _stage(root, files, actions, prune)
        removed = _run(root, journal)
    return actions + [Action("remove", folder) for folder in removed]


def recover(root: Path) -> None:
    """Finish (or undo) what a killed run left, as its journal says; without a journal,
    clear what it staged. Call under the lock."""
    state = root / STATE
    if (state / "journal.json").exists():
        _replay(root, _read_journal(root))
    for leftover in (state / "staged", state / "journal.json.new"):
        if leftover.is_dir():
            shutil.rmtree(leftover)
        elif leftover.exists():
            leftover.unlink()


class _locked:
    """The project's lock (`filelock`: an flock(2) lock the kernel releases if the process
    dies, so a killed run never leaves the project locked)."""

    def __init__(self, root: Path) -> None:
        from filelock import FileLock  # only commands that change a project get here

        state = root / STATE
        if state.is_symlink() or (state.exists() and not state.is_dir()):
            raise KgenError(f"{state} must be kgen's own folder, not a link or a file")
        try:
            state.mkdir(exist_ok=True)
        except OSError as error:
            raise KgenError(f"cannot write {state}: {reason(error)}") from None
        self.lock = FileLock(state / "lock", timeout=LOCK_TIMEOUT)

    def __enter__(self) -> None:
        from filelock import Timeout

        try:
            self.lock.acquire()
        except Timeout:
            raise KgenError(
                f"another kgen run has been changing this project for {LOCK_TIMEOUT} s "
                f"(it holds {self.lock.lock_file}); try again when it is done"
            ) from None
        except OSError as error:
            raise KgenError(
                f"cannot lock {self.lock.lock_file}: {reason(error)}"
            ) from None

    def __exit__(self, *exc) -> None:
        self.lock.release()


def _refuse_unwritable(
    root: Path, files: list[PlannedFile], actions: list[Action]
) -> None:
    """Refuse, before anything is staged, a change in a folder this process cannot write."""
    for file, action in zip(files, actions, strict=True):
        if action.verb in (*_WRITES, "remove"):
            folder = next(f for f in file.path.parents if f.exists())
            if not os.access(folder, os.W_OK | os.X_OK):
                raise KgenError(
                    f"cannot write {shown(root, file.path)}: {shown(root, folder)} "
                    "is not writable"
                )


def _private(root: Path, path: Path) -> bool:
    """In `.git` or `.kgen`, where no manifest entry may point (kgen.paths.confined)."""
    inside = path.resolve().relative_to(root.resolve())
    return bool(PRIVATE & set(inside.parts))


def _stage(
    root: Path, files: list[PlannedFile], actions: list[Action], prune: list[Path]
) -> Journal:
    """Stage every change and commit the journal; on failure, nothing is left behind."""
    staged = root / STATE / "staged"
    try:
        staged.mkdir()
        return _commit(root, staged, files, actions, prune)
    except OSError as error:
        raise KgenError(f"cannot write {staged}: {reason(error)}") from None
    finally:
        if not (root / STATE / "journal.json").exists():
            shutil.rmtree(staged, ignore_errors=True)
            (root / STATE / "journal.json.new").unlink(missing_ok=True)


def _commit(
    root: Path,
    staged: Path,
    files: list[PlannedFile],
    actions: list[Action],
    prune: list[Path],
) -> Journal:
    changes, made = [], []
    for index, (file, action) in enumerate(zip(files, actions, strict=True)):
        if action.verb not in (*_WRITES, "remove") or not (
            file.content is not None or file.path.exists()
        ):
            continue
        where = shown(root, file.path)
        try:
            _fault()
            old = new = None
            mode = new_file_mode()
            if file.path.exists():
                old = f"{index}.old"
                mode = file.path.stat().st_mode & 0o777
                _write_synced(staged / old, file.path.read_bytes(), mode)
            if file.content is not None:
                new = f"{index}.new"
                _write_synced(staged / new, file.content.encode("utf-8"), mode)
        except OSError as error:
            raise KgenError(f"cannot write {where}: {reason(error)}") from None
        changes.append(Change(where, new, old))
        made += [f for f in _missing_folders(root, file.path) if f not in made]
    journal = Journal(
        "forward",
        changes,
        sorted(made, key=lambda f: (-f.count("/"), f)),
        [shown(root, folder) for folder in prune],
    )
    try:
        _fault()
        _write_journal(root, journal)
    except OSError as error:
        raise KgenError(f"cannot write {STATE}/journal.json: {reason(error)}") from None
    return journal


def _run(root: Path, journal: Journal) -> list[Path]:
    """Apply a committed journal; on a failure, undo it and report the failure."""
    try:
        return _replay(root, journal)
    except OSError as error:
        failed = shown(root, Path(error.filename)) if error.filename else "a file"
        message = f"cannot write {failed}: {reason(error)}"
        try:
            back = replace(journal, direction="back")
            _write_journal(root, back)
            _replay(root, back)
        except OSError:
            raise KgenError(
                f"{message}; the change is half done: the next kgen run in this "
                "project finishes undoing it"
            ) from None
        raise KgenError(message) from None


def _replay(root: Path, journal: Journal) -> list[Path]:
    """Carry out a journal, forward or back; any step may already have been done."""
    staged = root / STATE / "staged"
    removed = []
    if journal.direction == "forward":
        for change in journal.changes:
            target = root / change.path
            try:
                _fault(target)
                if change.new is None:
                    target.unlink(missing_ok=True)
                elif (staged / change.new).exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(staged / change.new, target)
            except OSError as error:  # named by the file it was to change
                raise OSError(error.errno, error.strerror, str(target)) from None
        for folder in journal.prune:
            if _prune(root / folder):
                removed.append(root / folder)
    else:
        for change in reversed(journal.changes):
            target = root / change.path
            old = staged / change.old if change.old is not None else None
            if old is not None and old.exists():
                if _same_bytes(target, old):
                    continue  # never changed: nothing to undo
                target.parent.mkdir(parents=True, exist_ok=True)  # it may be pruned
                os.replace(old, target)
            elif change.old is None:
                target.unlink(missing_ok=True)
        for folder in journal.made:
            if (root / folder).is_dir() and not any((root / folder).iterdir()):
                (root / folder).rmdir()
    _fault(root / STATE / "journal.json")
    (root / STATE / "journal.json").unlink()
    shutil.rmtree(staged, ignore_errors=True)
    return removed


def _same_bytes(path: Path, other: Path) -> bool:
    return path.is_file() and path.read_bytes() == other.read_bytes()


def _prune(folder: Path) -> bool:
    """Remove `folder` if it holds nothing now but Python's bytecode cache."""
    try:
        if folder.is_dir() and all(p.name == "__pycache__" for p in folder.iterdir()):
            shutil.rmtree(folder)
            return True
    except OSError:
        pass  # a folder left in place is no harm
    return False


def _missing_folders(root: Path, path: Path) -> list[str]:
    return [shown(root, f) for f in path.parents if not f.exists() and f != root]


def _write_synced(path: Path, data: bytes, mode: int) -> None:
    with open(path, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fchmod(handle.fileno(), mode)
        os.fsync(handle.fileno())


def _write_journal(root: Path, journal: Journal) -> None:
    """Write the journal beside its place, fsync it, and rename it there: a journal is
    either whole or absent."""
    state = root / STATE
    data = json.dumps(asdict(journal), indent=1).encode("utf-8")
    (state / "journal.json.new").unlink(missing_ok=True)
    _write_synced(state / "journal.json.new", data, 0o644)
    os.replace(state / "journal.json.new", state / "journal.json")
    fd = os.open(state, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_journal(root: Path) -> Journal:
    """The journal a killed run left, checked as strictly as the manifest: its paths must
    stay inside the project, its staged names inside `.kgen/staged/`."""
    path = root / STATE / "journal.json"
    where = f"{STATE}/journal.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        direction = data["direction"]
        changes = [Change(**change) for change in data["changes"]]
        journal = Journal(direction, changes, list(data["made"]), list(data["prune"]))
        if direction not in ("forward", "back"):
            raise ValueError(f"direction {direction!r}")
        for change in changes:
            for name in (change.new, change.old):
                if name is not None and (
                    not isinstance(name, str) or "/" in name or name.startswith(".")
                ):
                    raise ValueError(f"staged name {name!r}")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise KgenError(
            f"{where} is damaged ({error}); check the project's files against git, "
            f"then remove {STATE}/"
        ) from None
    for change in changes:
        confined(root, change.path, where)
    for folder in journal.made + journal.prune:
        confined(root, folder, where)
    return journal


_steps = 0


def _fault(path: Path | None = None) -> None:
    """A test hook at each step of a transaction: with KGEN_FAULT="kill:N" the process
    kills itself at the N-th step (as a crash would), with "nospace:N" the N-th step fails
    as on a full disk. The tests use it to stop runs at every step of the write window.
    """
    global _steps
    fault = os.environ.get("KGEN_FAULT")
    if not fault:
        return
    _steps += 1
    what, _, step = fault.partition(":")
    if step.isdigit() and int(step) == _steps:
        if what == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        if what == "nospace":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path or ""))
