"""Where `kgen check` runs code it did not write: a bubblewrap sandbox (bwrap), in which
the whole file system is read-only but a private folder of the check's own, /tmp is
empty, there is no network and no other process is visible; and the limits each of its
processes gets (kgen.check_worker sets them before it imports the user's code).

Where bubblewrap is missing or cannot start (no user namespaces), the code runs without
it, with a warning: the private HOME, TMPDIR and working folder, the limits and the
process group killed at its end still hold; the file system, the network and the other
processes do not stay out of reach.
"""

import functools
import os
import shutil
import signal
import site
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

DEFAULT_TIMEOUT = 300  # seconds of wall-clock time, each submission
DEFAULT_MEMORY = 8  # GB of address space, each process (TensorFlow maps 2.5 alone)

NOT_ISOLATED = (
    "kgen: warning: bubblewrap (bwrap) {why}: the code checked runs with your rights, "
    "its files and network in reach; only its HOME, TMPDIR, working folder, time and "
    "memory are its own (README: Grading untrusted code)"
)


@dataclass(frozen=True)
class Limits:
    timeout: int = DEFAULT_TIMEOUT  # wall-clock seconds per file, the process tree's
    memory: int = DEFAULT_MEMORY  # GB of address space, each process
    files: int = 1  # the files a worker checks: its time is theirs together

    @property
    def seconds(self) -> int:
        """Wall-clock time of the worker; CPU time of each process, as long."""
        return self.timeout * self.files

    def worker_arguments(self) -> list[str]:
        return [str(self.seconds), str(self.memory * 1024**3)]


def set_limits(cpu_seconds: int, memory_bytes: int) -> None:
    """In the process to be limited, before the user's code: soft and hard alike, so
    that it cannot raise them (the hard CPU limit a second later: SIGXCPU first)."""
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    except (ValueError, OSError):  # macOS refuses to lower it: the wall clock remains
        print("kgen: warning: no memory limit here", file=sys.stderr)


def private_folders(folder: Path) -> dict[str, str]:
    """The environment of the checked code: HOME, TMPDIR and the caches in `folder`
    (which it may write), so that nothing it writes there (~/.keras/keras.json...)
    reaches the user's own or another check's."""
    home, temporary = folder / "home", folder / "tmp"
    home.mkdir()
    temporary.mkdir()
    environment = {
        "HOME": str(home),
        "TMPDIR": str(temporary),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "KERAS_HOME": str(home / ".keras"),
        "MPLCONFIGDIR": str(home / ".matplotlib"),
    }
    user_base = site.getuserbase()  # kgen may be installed with --user
    if user_base and Path(user_base).is_dir():
        environment["PYTHONUSERBASE"] = user_base
    return environment


def wrapped(command: list[str], folder: Path, readable: list[str]) -> list[str]:
    """`command` inside the sandbox, if there is one: `/` read-only, `folder` writable,
    an empty /tmp (other checks' folders out of sight) with `readable` (the checked
    code's folders) back in it, read-only."""
    bwrap = _bwrap()
    if bwrap is None:
        return command
    arguments = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    hidden = ["/tmp"]  # and TMPDIR, where the other checks' folders are
    temporary = os.path.realpath(tempfile.gettempdir())
    if temporary != "/" and not _under(temporary, "/tmp"):
        hidden.append(temporary)
    for path in hidden:
        arguments += ["--tmpfs", path]
    arguments += ["--tmpfs", "/dev/shm"]
    # The code checked, and Python and kgen themselves (a CI's venv may be in /tmp).
    shown = {p for p in readable if any(_under(p, h) for h in hidden)}
    shown |= {
        path
        for path in _python_paths()
        if any(_under(path, h) and path != h for h in hidden)
    }
    for path in sorted(shown):
        arguments += ["--ro-bind", path, path]
    arguments += ["--bind", str(folder), str(folder), "--chdir", str(folder)]
    arguments += ["--unshare-all", "--die-with-parent", "--new-session", "--"]
    return arguments + command


def _python_paths() -> set[str]:
    """Where this Python and its modules are (kgen's own included)."""
    paths = {sys.prefix, sys.base_prefix, os.path.dirname(sys.executable)}
    paths.update(os.environ.get("PYTHONPATH", "").split(os.pathsep))
    paths.update(entry for entry in sys.path if entry)
    paths.add(str(Path(__file__).resolve().parents[1]))
    return {os.path.realpath(path) for path in paths if path and os.path.isdir(path)}


def _under(path: str, folder: str) -> bool:
    return Path(path).is_relative_to(folder)


def warning() -> str | None:
    """The line to warn with, once, when the code runs without a sandbox."""
    if _bwrap() is not None:
        return None
    why = "is not installed" if shutil.which("bwrap") is None else "cannot start here"
    return NOT_ISOLATED.format(why=why)


@functools.cache
def _bwrap() -> str | None:
    """bwrap's path, if a sandbox starts here (tried once: it needs user namespaces)."""
    path = shutil.which("bwrap")
    if path is None:
        return None
    probe = [path, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent"]
    try:
        subprocess.run(
            [*probe, "--", sys.executable, "-c", ""],
            capture_output=True,
            timeout=30,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return path


def ended_by(returncode: int) -> str:
    """Why a process ended, from its exit status (bwrap's is 128 + the signal's)."""
    number = -returncode if returncode < 0 else returncode - 128
    if number == signal.SIGXCPU:
        return "it used up its CPU time"
    if 0 < number < signal.NSIG and returncode not in range(1, 129):
        return f"it was killed ({signal.Signals(number).name})"
    return f"exit code {returncode}"


def kill_group(process: subprocess.Popen) -> None:
    """Kill the process and every process it started in its session (a submission's
    background processes): nothing it started outlives the check."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # ended, all of them
