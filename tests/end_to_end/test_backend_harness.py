"""The generated tests on JAX and torch: every kind but model passes its fast tests, its
fresh-process check and its two-device check, with an explicit skip where a backend cannot
run one; the two-device check on JAX is real (a mutation proves it); and a new process
that crashes is reported by its signal, not blamed on the component."""

import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
from unittest import mock

import pytest
from conftest import passed_and_skipped, run_pytest

import kgen.kinds
from kgen.contracts import contract_row


def installed(backend):
    """`backend` as a test parameter, skipped unless it can be imported here."""
    missing = importlib.util.find_spec(backend) is None
    reason = f"{backend} is not installed: the generated tests cannot run on it"
    return pytest.param(backend, marks=pytest.mark.skipif(missing, reason=reason))


BACKENDS = [installed("jax"), installed("torch")]
# The model kind's train_step is TensorFlow's own: its backends are tested elsewhere.
KINDS = [name for name in kgen.kinds.KINDS if name != "model"]
# Each kind's fresh-process and two-device checks (a callback's are its own).
HEAVY = "fresh_process or two_devices"
FLOAT64_SKIP = "float64: jax gives float32 (on JAX, JAX_ENABLE_X64=1 gives float64)"
TORCH_SKIP = "two devices: keras.distribution (data parallelism) has no torch backend"


def generate(folder, *args):
    result = subprocess.run(
        [shutil.which("kgen"), *args], cwd=folder, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def run_on(backend, folder, *args, heavy=False):
    """The generated tests in `folder`, run on `backend`, skip reasons listed."""
    with mock.patch.dict(os.environ, {"KERAS_BACKEND": backend}):
        return run_pytest(folder, "-rs", *args, heavy=heavy)


def skip_reasons(result):
    """Each skipped test's reason, from pytest's -rs summary (which counts alike ones
    together, by place and reason)."""
    found = re.findall(
        r"^SKIPPED \[(\d+)\] [^:]+:\d+: (.*)$", result.stdout, re.MULTILINE
    )
    return sorted(reason for count, reason in found for _ in range(int(count)))


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory):
    """A folder with one component of each kind but model, with its tests."""
    folder = tmp_path_factory.mktemp("every_backend")
    for kind in KINDS:
        generate(folder, kind, f"Sample{kind.title()}")
    return folder


@pytest.mark.heavy
@pytest.mark.parametrize("backend", BACKENDS)
def test_every_kind_passes_its_fast_tests_on(backend, every_kind):
    result = run_on(backend, every_kind, "-v")  # undoes -q: pytest prints its header
    keras = importlib.metadata.version("keras")
    assert f"kgen: Keras {keras} on the {backend} backend" in result.stdout
    passed, skipped = passed_and_skipped(result)
    reasons = skip_reasons(result)
    assert len(reasons) == skipped
    heavy = [reason for reason in reasons if reason.startswith("heavy:")]
    others = [reason for reason in reasons if not reason.startswith("heavy:")]
    # JAX has 64-bit floats off: the initializer's float64 case is skipped, and said so.
    if backend == "jax":
        assert others == [FLOAT64_SKIP]
    else:
        assert others == []
    assert heavy and passed >= len(KINDS)


@pytest.mark.heavy
@pytest.mark.parametrize("backend", BACKENDS)
def test_every_kind_loads_in_a_fresh_process_and_trains_on_two_devices_on(
    backend, every_kind
):
    # Two pytest processes: each check starts a process of its own and waits on it.
    result = run_on(backend, every_kind, "-n", "2", "-k", HEAVY, heavy=True)
    passed, skipped = passed_and_skipped(result)
    if backend == "jax":  # keras.distribution.DataParallel over two host devices
        assert (passed, skipped) == (2 * len(KINDS), 0), result.stdout[-3000:]
    else:  # the fresh process imports torch and Keras, no TensorFlow: it passes
        assert (passed, skipped) == (len(KINDS), len(KINDS)), result.stdout[-3000:]
        assert skip_reasons(result) == [TORCH_SKIP] * len(KINDS)


@pytest.mark.heavy
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_layer_compiles_and_runs_in_mixed_precision_on(backend, every_kind):
    # XLA on JAX; torch.compile on torch (jit_compile=True): it works on CPU.
    result = run_on(
        backend,
        every_kind,
        "test_sample_layer.py",
        "-k",
        "xla or mixed_precision",
        heavy=True,
    )
    assert passed_and_skipped(result) == (2, 0)


@pytest.mark.heavy
@pytest.mark.parametrize("backend", [installed("jax")])
def test_the_two_device_check_is_real_on(backend, tmp_path):
    generate(tmp_path, "loss", "Scalar")
    module = tmp_path / "scalar.py"
    # A loss of one scalar per batch, not one value per sample: the bug the check catches
    # on TensorFlow, where each device computes the loss of its half of the batch. JAX's
    # DataParallel compiles one program for the whole batch: the loss is the whole
    # batch's, as on one device (measured), so this is no bug there and the check passes.
    per_sample = "ops.mean(ops.square(y_pred - y_true), axis=-1)"
    source = module.read_text()
    assert source.count(per_sample) == 1
    module.write_text(
        source.replace(per_sample, "ops.mean(ops.square(y_pred - y_true))")
    )
    result = run_on(backend, tmp_path, "-k", "two_devices", heavy=True)
    assert passed_and_skipped(result) == (1, 0)
    # The check is real: with the distribution not applied, the model trains on one
    # device and the check fails, saying so.
    harness = tmp_path / "kgen_harness.py"
    source = harness.read_text()
    applied = "keras.distribution.set_distribution(\n"
    assert source.count(applied) == 1
    harness.write_text(source.replace(applied, "(lambda distribution: None)(\n"))
    result = run_on(backend, tmp_path, "-k", "two_devices", heavy=True)
    assert result.returncode == 1, result.stdout[-3000:]
    assert "on 1 device(s), not 2: the model was not distributed" in result.stdout


@pytest.mark.heavy
def test_a_crashed_new_process_is_reported_by_its_signal(tmp_path):
    generate(tmp_path, "loss", "Crashing")
    # The module crashes the new process that imports it (run as `python -c`), not the
    # test's own: as a backend's native code does when it fails to load.
    module = tmp_path / "crashing.py"
    module.write_text(
        module.read_text()
        + "\n\nimport os, signal, sys\n\n"
        + 'if sys.argv[0] == "-c":\n    os.kill(os.getpid(), signal.SIGSEGV)\n'
    )
    result = run_pytest(tmp_path, "-k", "fresh_process", heavy=True)
    assert result.returncode == 1, result.stdout[-3000:]
    assert "was killed by SIGSEGV (return code -11)" in result.stdout
    assert "the new Python process crashed" in result.stdout
    assert "Look at the registration" not in result.stdout


def test_kgen_check_does_not_blame_the_component_for_a_crash():
    message = "AssertionError: the new Python process (torch) was killed by SIGSEGV"
    row = contract_row("test_loads_in_a_fresh_process", "layer", "failed", message)
    assert row["note"].startswith("The new Python process crashed")
    assert "registration" not in row["note"]
    failed = contract_row(
        "test_loads_in_a_fresh_process", "layer", "failed", "AssertionError: ..."
    )
    assert "Look at the registration" in failed["note"]


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_the_jax_and_torch_runs_have_no_tensorflow(tmp_path, monkeypatch, backend):
    """As on a JAX or torch user's machine (tests/no_tensorflow): Keras, which imports
    TensorFlow wherever it can, costs these runs no TensorFlow start."""
    (tmp_path / "test_no_tensorflow.py").write_text(
        "import pytest\n\n\ndef test_it():\n"
        "    with pytest.raises(ImportError):\n        import tensorflow  # noqa: F401\n"
    )
    monkeypatch.setenv("KERAS_BACKEND", backend)
    assert passed_and_skipped(run_pytest(tmp_path)) == (1, 0)
