import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "generated_examples"
NO_TENSORFLOW = Path(__file__).resolve().parent / "no_tensorflow"

# Quiet TensorFlow in the subprocesses the tests start.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def pytest_configure(config):
    """JAX compiles the same small programs in many of the generated tests' processes (a
    fast run's and a heavy run's, a test's and the fresh process it starts): one
    compilation cache for the run, made by the first pytest process (xdist's controller)
    and inherited by its workers and by the generated tests they run (run_pytest)."""
    if "KGEN_TESTS_JAX_CACHE" not in os.environ:
        folder = tempfile.mkdtemp(prefix="kgen-tests-jax-")
        os.environ["KGEN_TESTS_JAX_CACHE"] = folder
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


# The files whose tests take minutes (pytest --durations), in that order: started first,
# so that the many short files fill the cores beside them instead of leaving them the
# end of the run (pyproject.toml keeps xdist from reordering files by their size).
LONGEST_FIRST = [
    "tests/oracle/test_keras_oracle.py",
    "tests/end_to_end/test_backend_models.py",
    "tests/end_to_end/test_examples.py",
    "tests/end_to_end/test_backend_harness.py",
    "tests/end_to_end/test_default_bodies.py",
    "tests/end_to_end/test_check.py",
    "tests/end_to_end/test_safety.py",
    "tests/end_to_end/test_generated.py",
]


def pytest_collection_modifyitems(items):
    rank = {path: place for place, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.partition("::")[0], len(rank)))


@pytest.fixture(scope="session", autouse=True)
def kgen_cache(tmp_path_factory):
    """kgen's cache of formatted code, for kgen called here or by a test's subprocess:
    one for the session (each xdist worker has its own), never the user's."""
    os.environ["KGEN_CACHE_DIR"] = str(tmp_path_factory.mktemp("kgen-cache"))


@pytest.fixture
def kgen(tmp_path):
    """Run the installed `kgen` command in tmp_path, as a user would."""
    executable = shutil.which("kgen")
    assert executable, "kgen is not installed: run the README's install command"

    def run(*args, cwd=tmp_path, input="", env=None):
        return subprocess.run(
            [executable, *map(str, args)],
            cwd=cwd,
            env=env,
            input=input,  # what a user types; nothing, by default
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


@pytest.fixture
def small_disk(tmp_path):
    """A folder on a tmpfs of 512 KiB, to be filled up (needs root: skipped without)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(disk)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


def fill(disk):
    """Write to `disk` until it has no space left."""
    try:
        with open(disk / "filler", "wb") as filler:
            while True:
                filler.write(b"x" * 4096)
                filler.flush()
    except OSError:
        pass


def run_pytest(folder, *args, heavy=False, timeout=900, python=sys.executable):
    """The generated tests, run in a fresh process of their own (of `python`); with
    `heavy`, all of them."""
    env = {
        **os.environ,
        "KGEN_HEAVY": "1" if heavy else "0",
        "JAX_COMPILATION_CACHE_DIR": os.environ["KGEN_TESTS_JAX_CACHE"],
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",  # small programs too
    }
    if env.get("KERAS_BACKEND") in ("jax", "torch"):
        # As a JAX or torch user's machine may be: no TensorFlow (tests/no_tensorflow).
        path = [str(NO_TENSORFLOW), env.get("PYTHONPATH", "")]
        env["PYTHONPATH"] = os.pathsep.join(filter(None, path))
    return subprocess.run(
        [
            python,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",  # not this repo's settings, when the folder is inside it
            "-W",
            "ignore::DeprecationWarning",
            *args,
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def passed_and_skipped(result):
    """(passed, skipped) from the summary line of a `pytest -q` run."""
    summary = result.stdout.strip().splitlines()[-1]
    found = re.findall(r"(\d+) (passed|skipped|failed|errors?)\b", summary)
    counts = {word: int(number) for number, word in found}
    assert result.returncode == 0 and counts.get("passed"), result.stdout[-3000:]
    return counts.get("passed", 0), counts.get("skipped", 0)


# Private or deprecated in Keras 3 (shared Keras notes): generated code must use none of them.
NOT_KERAS_3 = re.compile(
    r"keras\.src|tf\.keras|compiled_loss|compiled_metrics|def reset_states|\.reset_states\("
    r"|losses\.Reduction"
    r"|import keras\.|from tensorflow import keras"
)


def assert_clean_code(folder, project=False):
    """Public Keras 3 API only; ruff with its default rules and black, run as their user
    would: from each folder of loose modules (ruff tells first-party modules from
    third-party ones by what the folder holds), or from a project's root."""
    for path in Path(folder).rglob("*.py"):
        found = NOT_KERAS_3.search(path.read_text())
        assert found is None, f"{path.name}: {found.group()}"
    folders = (
        [Path(folder)] if project else {p.parent for p in Path(folder).rglob("*.py")}
    )
    for directory in sorted(folders):
        files = ["."] if project else sorted(p.name for p in directory.glob("*.py"))
        ruff = subprocess.run(
            ["ruff", "check", "--isolated", *files],
            cwd=directory,
            capture_output=True,
            text=True,
        )
        assert ruff.returncode == 0, ruff.stdout
    black = subprocess.run(
        ["black", "--check", "-q", "."], cwd=folder, capture_output=True, text=True
    )
    assert black.returncode == 0, black.stderr


# The oracle's counts (tests/oracle), printed at the end of the run. Here, not in
# tests/oracle/conftest.py: under xdist the controller, which prints the summary, loads
# only the conftest of the paths it was given.
ORACLE_COUNTS = []


def pytest_runtest_logreport(report):
    if report.when == "call":
        ORACLE_COUNTS.extend(
            v for k, v in report.user_properties if k == "oracle_counts"
        )


def pytest_terminal_summary(terminalreporter):
    for line in ORACLE_COUNTS:
        terminalreporter.write_line(f"kgen check oracle, {line}")
