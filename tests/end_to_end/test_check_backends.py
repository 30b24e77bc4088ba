"""`kgen check --backend`: the contracts run on each backend asked for, each in worker
processes of its own with KERAS_BACKEND set, and the report says which verdict is
whose. A component written against TensorFlow's own ops passes on TensorFlow and
fails on JAX; a worker sees only its backend's package."""

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from test_check import kgen_check

HERE = Path(__file__).parent
SIMPLE_DENSE = HERE / "hand_written" / "simple_dense.py"

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("jax") is None, reason="jax is not installed"
)
HAS_TORCH = importlib.util.find_spec("torch") is not None
BACKENDS = ["tensorflow", "jax", *["torch"] * HAS_TORCH]

# Correct on every backend, and its call fails if TensorFlow has been imported in a
# process off TensorFlow (hidden, it is None in sys.modules). jax may be: TensorFlow and
# torch import it themselves.
ONLY_ITS_BACKEND = """
import sys

import keras


@keras.saving.register_keras_serializable(package="Course")
class OnlyItsBackend(keras.layers.Layer):
    def call(self, inputs):
        tensorflow = sys.modules.get("tensorflow") is not None
        if tensorflow != (keras.backend.backend() == "tensorflow"):
            raise RuntimeError(f"TensorFlow imported: {tensorflow}")
        return keras.ops.relu(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape
"""

# TensorFlow's ops in call: right on TensorFlow alone.
TF_OPS = """
import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="Course")
class Squared(keras.layers.Layer):
    def call(self, inputs):
        return tf.square(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape
"""


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """One run: two files (a process each) on every backend installed."""
    folder = tmp_path_factory.mktemp("backends")
    (folder / "layers.py").write_text(SIMPLE_DENSE.read_text() + ONLY_ITS_BACKEND)
    (folder / "tf_ops.py").write_text(TF_OPS)
    result = kgen_check(
        "layers.py",
        "tf_ops.py",
        "--backend",
        ",".join(BACKENDS),
        "--json",
        cwd=folder,
    )
    return result, json.loads(result.stdout)


def by_backend(report, target):
    return {r["backend"]: r for r in report["files"] if r["target"] == target}


def passed(record):
    return not record["error"] and all(c["passed"] for c in record["components"])


def test_each_file_has_a_record_for_each_backend_in_order(checked):
    result, report = checked
    assert report["backends"] == BACKENDS
    targets = ["layers.py", "tf_ops.py"]
    assert [(r["target"], r["backend"]) for r in report["files"]] == [
        (target, backend) for target in targets for backend in BACKENDS
    ]
    assert result.returncode == 1 and report["passed"] is False  # tf_ops.py


def test_a_correct_component_passes_on_every_backend(checked):
    _, report = checked
    for record in by_backend(report, "layers.py").values():
        components = [c["component"] for c in record["components"]]
        assert components == ["SimpleDense", "OnlyItsBackend"], record["backend"]
        assert passed(record), record["backend"]
    assert report["grades"]["layers.py"] == {
        "grade": 1.0,
        "backends": dict.fromkeys(BACKENDS, 1.0),
    }


def test_tensorflow_ops_pass_on_tensorflow_and_fail_elsewhere_and_grade_lowest(
    checked,
):
    _, report = checked
    records = by_backend(report, "tf_ops.py")
    assert passed(records["tensorflow"])
    for backend in BACKENDS[1:]:
        assert records[backend]["error"].startswith(
            f"cannot import tf_ops: it imports tensorflow (tf_ops.py, line 3), which "
            f"Keras on {backend} does not use"
        )
        assert records[backend]["grade"] == 0.0
    grades = report["grades"]["tf_ops.py"]
    assert grades["backends"]["tensorflow"] == 1.0 and grades["grade"] == 0.0


def test_the_backend_defaults_to_the_projects_then_keras_backend(tmp_path):
    """And the text report names a backend that is not TensorFlow."""
    shutil.copy(SIMPLE_DENSE, tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.kgen]\npackage = "demo"\nbackend = "jax"\n'
    )
    (tmp_path / "src" / "demo").mkdir(parents=True)
    (tmp_path / "src" / "demo" / "__init__.py").write_text("")
    # The project's backend wins over KERAS_BACKEND.
    environment = {"KERAS_BACKEND": "tensorflow"}
    result = kgen_check("simple_dense.py", cwd=tmp_path, env=environment)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("simple_dense.py (jax)\n  SimpleDense (layer")
    assert result.stdout.rstrip().endswith(
        "1 component checked on jax: 1 passed every contract, 0 did not."
    )
    (tmp_path / "pyproject.toml").unlink()
    result = kgen_check(
        "simple_dense.py", "--json", cwd=tmp_path, env={"KERAS_BACKEND": "jax"}
    )
    assert json.loads(result.stdout)["backends"] == ["jax"], result.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--backend", "mxnet"], "--backend: unknown backend 'mxnet'; choose one of"),
        (["--backend", "jax,"], "give backend names separated by commas"),
        (["--backend", "tensorflow,jax", "--write"], "give one --backend"),
    ],
)
def test_a_wrong_backend_is_one_line_and_nothing_runs(tmp_path, arguments, message):
    shutil.copy(SIMPLE_DENSE, tmp_path)
    result = kgen_check("simple_dense.py", *arguments, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("kgen: error: ") and message in result.stderr
    assert len(result.stderr.splitlines()) == 1  # no traceback
    assert [p.name for p in tmp_path.iterdir()] == ["simple_dense.py"]
