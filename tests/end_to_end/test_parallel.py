"""A large build is planned in several processes, with the same result as in one."""

import os
import subprocess
import sys

from kgen.parallel import PER_PROCESS, WORKERS_VARIABLE

KINDS = ["loss", "layer", "metric", "regularizer", "initializer", "constraint"]


def write_spec(path, count):
    tables = [
        f'[[component]]\nkind = "{KINDS[i % len(KINDS)]}"\nname = "Part{i}"\n'
        f'params = ["scale{i}=0.5"]\n'
        for i in range(count)
    ]
    path.write_text("\n".join(tables))
    return path


def build(kgen, spec, out, workers):
    """`kgen build` in its own process: forking this one, which may hold TensorFlow's
    threads, is not what a user's command does."""
    env = {**os.environ, WORKERS_VARIABLE: str(workers)}
    return kgen("build", spec, "--out", out, env=env)


def test_several_processes_write_what_one_does(kgen, tmp_path):
    spec = write_spec(tmp_path / "spec.toml", 2 * PER_PROCESS)
    for workers in (2, 1):
        result = build(kgen, spec, tmp_path / f"out{workers}", workers)
        assert result.returncode == 0, result.stderr
    written = {
        workers: {p.name: p.read_text() for p in (tmp_path / f"out{workers}").iterdir()}
        for workers in (2, 1)
    }
    assert written[2] == written[1]
    assert len(written[2]) == 2 * 2 * PER_PROCESS + 2  # module, test; conftest, harness


def test_an_error_in_a_process_is_the_usual_one_line(kgen, tmp_path):
    spec = write_spec(tmp_path / "spec.toml", 2 * PER_PROCESS)
    (tmp_path / "file").write_text("")
    result = build(kgen, spec, tmp_path / "file" / "out", 2)
    assert result.returncode == 1
    assert result.stderr.startswith("kgen: error: ")
    assert "is a file, not a directory" in result.stderr
    assert len(result.stderr.splitlines()) == 1


IN_A_TENSORFLOW_PROCESS = """
import sys
from pathlib import Path

import tensorflow as tf

from kgen.build import plan_build

tf.function(lambda x: x * 2)(tf.constant(1.0))  # TensorFlow's threads and functions
plan_build(Path(sys.argv[1])).apply()
print("built")
"""


def test_the_python_api_builds_in_parallel_inside_a_tensorflow_process(tmp_path):
    """The processes are spawned: a fork of a process holding TensorFlow crashed (a
    segmentation fault collecting TensorFlow's functions in the child)."""
    spec = write_spec(tmp_path / "spec.toml", 2 * PER_PROCESS)
    result = subprocess.run(
        [sys.executable, "-c", IN_A_TENSORFLOW_PROCESS, spec],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, WORKERS_VARIABLE: "2"},
    )
    assert result.returncode == 0 and result.stdout == "built\n", result.stderr[-2000:]
    assert len(list(tmp_path.glob("test_part*.py"))) == 2 * PER_PROCESS
