"""The model kind on each backend: `--backend` writes the train_step and test_step of the
Keras guide for that backend, and the generated tests train the model there for real."""

import importlib.util
import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import EXAMPLES, passed_and_skipped, run_pytest

from kgen.backends import BACKENDS

# What each backend's module is made of, and what it must not hold.
OWN_CODE = {
    "tensorflow": ("tf.GradientTape()", "tape.gradient("),
    "jax": (
        "self.stateless_call(",
        "jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)",
        "self.optimizer.stateless_apply(",
        "metric.stateless_update_state(",
        "def train_step(self, state, data):",
        "def test_step(self, state, data):",
        "return logs, state",
    ),
    "torch": (
        "self.zero_grad()",
        "scaled_loss.backward()",
        "with torch.no_grad():",
        "self.optimizer.apply(gradients, trainable_weights)",
    ),
}
IMPORTS = {
    "tensorflow": "import tensorflow as tf",
    "jax": "import jax",
    "torch": "import torch",
}
# The examples written for a backend other than TensorFlow.
EXAMPLES_ON = {
    backend: sorted(p.name for p in EXAMPLES.glob(f"test_*_{backend}.py"))
    for backend in ("jax", "torch")
}


def installed(backend):
    """Skip, saying why, when the backend's package is not installed here."""
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f'{backend} is not installed: pip install "kgen[{backend}]"')


def generate(kgen, folder, *args):
    result = kgen("model", "Clipped", "-p", "clip_norm=1.0", "--out", folder, *args)
    assert result.returncode == 0, result.stderr
    return (folder / "clipped.py").read_text()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("style", ["class", "functional"])
def test_each_backend_gets_its_own_steps_and_imports_only_itself(
    kgen, tmp_path, backend, style
):
    source = generate(kgen, tmp_path, "--backend", backend, "--style", style)
    for code in OWN_CODE[backend]:
        assert code in source, code
    for other in BACKENDS:
        assert (IMPORTS[other] in source) == (other == backend), other
    assert "GradientTape" not in source or backend == "tensorflow"


def test_the_default_backend_is_keras_backend_then_tensorflow(kgen, tmp_path):
    plain = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    result = kgen("model", "Clipped", "--stdout", env=plain)
    assert "tf.GradientTape()" in result.stdout
    result = kgen("model", "Clipped", "--stdout", env={**plain, "KERAS_BACKEND": "jax"})
    assert "jax.value_and_grad" in result.stdout
    result = kgen(
        "model",
        "Clipped",
        "--stdout",
        "--backend",
        "torch",
        env={**plain, "KERAS_BACKEND": "jax"},
    )
    assert "scaled_loss.backward()" in result.stdout


def test_a_project_s_backend_comes_before_keras_backend(kgen, tmp_path):
    assert kgen("new", "demo").returncode == 0
    pyproject = tmp_path / "demo" / "pyproject.toml"
    text = re.sub(r'(?m)^backend = "\w+"$', 'backend = "torch"', pyproject.read_text())
    pyproject.write_text(text)
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    result = kgen("model", "M", "--stdout", cwd=tmp_path / "demo", env=env)
    assert "scaled_loss.backward()" in result.stdout, result.stderr
    walk = kgen("explain", "model", cwd=tmp_path / "demo", env=env).stdout
    assert "on the torch backend" in walk


def test_build_takes_the_spec_s_backend_and_never_the_shell_s(kgen, tmp_path):
    (tmp_path / "spec.toml").write_text(
        '[[component]]\nkind = "model"\nname = "OnTf"\n\n'
        '[[component]]\nkind = "model"\nname = "OnTorch"\nbackend = "torch"\n'
    )
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    result = kgen("build", "spec.toml", env=env)
    assert result.returncode == 0, result.stderr
    assert "tf.GradientTape()" in (tmp_path / "on_tf.py").read_text()
    assert "scaled_loss.backward()" in (tmp_path / "on_torch.py").read_text()


@pytest.mark.parametrize(
    "args",
    [
        ["model", "Clipped", "--backend", "mxnet"],
        ["loss", "Huber", "--backend", "mxnet"],
        ["explain", "model", "--backend", "mxnet"],
    ],
    ids=["model", "loss", "explain"],
)
def test_an_unknown_backend_is_one_line_and_writes_nothing(kgen, tmp_path, args):
    result = kgen(*args)
    assert result.returncode == 1
    message = "unknown backend 'mxnet'; choose one of tensorflow, jax, torch"
    assert result.stderr.strip().splitlines() == [f"kgen: error: --backend: {message}"]
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_backend_in_a_build_spec_names_the_component(kgen, tmp_path):
    (tmp_path / "spec.toml").write_text(
        '[[component]]\nkind = "model"\nname = "M"\nbackend = "mxnet"\n'
    )
    result = kgen("build", "spec.toml")
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert "component 1 (M)" in line and "unknown backend 'mxnet'" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"]


def test_the_other_kinds_accept_the_option_and_ignore_it(kgen):
    jax = kgen("loss", "Huber", "--stdout", "--backend", "jax").stdout
    assert jax == kgen("loss", "Huber", "--stdout", "--backend", "tensorflow").stdout


def test_explain_speaks_of_the_chosen_backend(kgen):
    walk = kgen("explain", "model", "--backend", "jax").stdout
    assert "on the jax backend" in walk
    assert "train_step(self, state, data)" in walk
    assert "stateless_apply" in walk and "GradientTape" not in walk
    walk = kgen(
        "explain", "model", "--backend", "torch", "--style", "functional"
    ).stdout
    assert "zero_grad" in walk and "GradientTape" not in walk
    source = kgen("model", "M", "--stdout", "--explain", "--backend", "torch").stdout
    assert "PyTorch adds new gradients to the ones already there" in " ".join(
        line.strip().lstrip("# ") for line in source.splitlines()
    )


def test_generating_a_model_imports_no_backend(tmp_path):
    for backend in BACKENDS:
        result = subprocess.run(
            [shutil.which("kgen"), "model", "M", "--backend", backend, "--stdout"],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        imported = {
            line.split("|")[-1].strip().split(".")[0]
            for line in result.stderr.splitlines()
            if line.startswith("import time:")
        }
        assert "typer" in imported  # the import trace is real
        assert not imported & {"tensorflow", "keras", "jax", "torch"}, backend


# Each run trains the model on its backend: about 10 to 20 s on two idle cores.
@pytest.mark.heavy
@pytest.mark.parametrize("backend", BACKENDS)
def test_the_generated_tests_train_on_their_backend(
    kgen, tmp_path, monkeypatch, backend
):
    installed(backend)
    generate(kgen, tmp_path, "--backend", backend)
    monkeypatch.setenv("KERAS_BACKEND", backend)
    result = run_pytest(tmp_path, "-rs")
    passed, _ = passed_and_skipped(result)
    assert passed >= 9, result.stdout[-3000:]
    assert "written for the" not in result.stdout  # none skipped for the backend


@pytest.mark.heavy
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_the_examples_train_on_their_backend(monkeypatch, backend):
    """Their own tests, heavy ones included (a fresh process, two devices, XLA, mixed
    precision): on TensorFlow, kgen check --heavy runs the examples'
    (tests/end_to_end/test_examples.py). On torch, XLA's test is torch.compile's, which
    takes 8 to 30 s a model on two cores: it runs on CustomModelTorch (and on a layer,
    tests/end_to_end/test_backend_harness.py), where it proves the same harness."""
    installed(backend)
    monkeypatch.setenv("KERAS_BACKEND", backend)
    models = {
        "custom_model",
        "output_penalty_model",
        "gradient_norm_model",
        "vae",
        "gan",
    }
    assert EXAMPLES_ON[backend] == sorted(f"test_{m}_{backend}.py" for m in models)
    selected = ["-k", "not xla or custom_model"] if backend == "torch" else []
    # Two pytest processes: each heavy test waits on the process it starts.
    result = run_pytest(
        EXAMPLES, *EXAMPLES_ON[backend], *selected, "-rs", "-n", "2", heavy=True
    )
    passed, _ = passed_and_skipped(result)
    assert result.returncode == 0, result.stdout[-3000:]
    assert passed >= 10 * len(models) and "written for the" not in result.stdout


def test_on_another_backend_the_tests_skip_and_say_why(kgen, tmp_path, monkeypatch):
    installed("jax")
    generate(kgen, tmp_path, "--backend", "jax")
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    result = run_pytest(tmp_path, "-rs")
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" not in result.stdout.splitlines()[-1]
    assert "Clipped is written for the jax backend: run it with KERAS_BACKEND=jax" in (
        result.stdout
    )


@pytest.mark.heavy
def test_on_jax_weights_left_unapplied_fail_the_generated_tests(
    kgen, tmp_path, monkeypatch
):
    """The mutation: train_step keeps the old trainable variables, dropping those
    optimizer.stateless_apply returns. fit runs without an error; the tests must fail.
    """
    installed("jax")
    source = generate(kgen, tmp_path, "--backend", "jax")
    applied = (
        "trainable_variables, optimizer_variables = self.optimizer.stateless_apply("
    )
    assert source.count(applied) == 1
    mutant = source.replace(
        applied, "_, optimizer_variables = self.optimizer.stateless_apply("
    )
    (tmp_path / "clipped.py").write_text(mutant)
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    result = run_pytest(tmp_path)
    assert result.returncode == 1, result.stdout[-3000:]
    assert "FAILED test_clipped.py::test_trains" in result.stdout


@pytest.mark.heavy
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_kgen_check_runs_a_model_s_contracts_on_its_backend(kgen, tmp_path, backend):
    """kgen check did not write the model: its tests run on the backend checked on,
    with no skip for the backend the module was generated for."""
    installed(backend)
    generate(kgen, tmp_path, "--backend", backend, "--no-tests")
    result = kgen("check", "clipped.py", "--backend", backend, "--json")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert '"test_trains"' in result.stdout and "written for the" not in result.stdout


# On JAX, fit carries only the compiled optimizer's variables through train_step: the GAN
# compiles a pair whose variables are both its optimizers'. Each must step, and each
# network must learn: an optimizer left out of the pair would start afresh every step.
GAN_ON_JAX = """
import keras, numpy as np
from gan_jax import GANJax

def network(inputs, outputs, name):
    return keras.Sequential([keras.Input((inputs,)), keras.layers.Dense(outputs)], name=name)

gan = GANJax(network(8, 1, "discriminator"), network(4, 8, "generator"), latent_dim=4)
gan.compile(
    d_optimizer=keras.optimizers.Adam(1e-3),
    g_optimizer=keras.optimizers.Adam(1e-3),
    loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
)
before = [net.get_weights() for net in (gan.discriminator, gan.generator)]
gan.fit(np.random.rand(24, 8).astype("float32"), batch_size=8, epochs=2, verbose=0)
steps = [int(opt.iterations.numpy()) for opt in (gan.d_optimizer, gan.g_optimizer)]
assert steps == [6, 6], steps
for old, net in zip(before, (gan.discriminator, gan.generator)):
    assert all(not np.allclose(a, b) for a, b in zip(old, net.get_weights())), net.name
"""


@pytest.mark.heavy
def test_the_jax_gan_steps_both_optimizers_through_fit():
    installed("jax")
    result = subprocess.run(
        [sys.executable, "-c", GAN_ON_JAX],
        cwd=EXAMPLES,
        env={**os.environ, "KERAS_BACKEND": "jax"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
