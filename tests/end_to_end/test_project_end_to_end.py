"""A project from start to finish, as a new user meets it: `kgen new demo`, a component of
every kind, the set-up commands of demo's own README in a new virtual environment, then a
model saved with a component of every kind, loaded in a fresh process after `import demo`.

Heavy: it installs the project (pip, with network access for the build backend) and runs
its tests, and the heavy ones that depend on its layout: about two minutes.
"""

import json
import os
import re
import shlex
import subprocess
import sys

import pytest

COMPONENTS = [
    ["loss", "Huber", "-p", "threshold"],
    [
        "layer",
        "SimpleDense",
        "-p",
        "activation:activation=None",
        "-p",
        "kernel_initializer:initializer=glorot_uniform",
        "-p",
        "kernel_regularizer:regularizer=None",
        "-p",
        "kernel_constraint:constraint=None",
    ],
    ["metric", "PSNR", "-p", "max_value=1.0"],
    ["regularizer", "L1Penalty", "-p", "factor=0.01"],
    ["initializer", "ScaledNormal", "-p", "scale=1.0"],
    ["constraint", "NonNegative"],
    ["activation", "ScaledTanh", "-p", "scale=1.0"],
    ["model", "ClippedModel", "-p", "clip_norm=1.0"],
]

SAVE = """
import json
import sys

import keras
import numpy as np

from demo.activations import scaled_tanh
from demo.constraints import NonNegative
from demo.initializers import ScaledNormal
from demo.layers import SimpleDense
from demo.losses import Huber
from demo.metrics import PSNR
from demo.models import ClippedModel
from demo.regularizers import L1Penalty

keras.utils.set_random_seed(0)
model = keras.Sequential(
    [
        keras.Input((4,)),
        SimpleDense(
            activation=scaled_tanh,
            kernel_initializer=ScaledNormal(scale=0.5, seed=1),
            kernel_regularizer=L1Penalty(factor=0.02),
            kernel_constraint=NonNegative(),
        ),
        ClippedModel(clip_norm=2.0),
    ]
)
model.compile(optimizer="sgd", loss=Huber(threshold=0.5), metrics=[PSNR(max_value=2.0)])
x = np.random.rand(32, 4).astype("float32")
y = np.random.rand(32, 1).astype("float32")
model.fit(x, y, epochs=2, verbose=0)
folder = sys.argv[1]
model.save(f"{folder}/model.keras")
np.save(f"{folder}/x.npy", x)
np.save(f"{folder}/y.npy", y)
np.save(f"{folder}/predicted.npy", model.predict(x, verbose=0))
evaluated = model.evaluate(x, y, verbose=0, return_dict=True)
print(json.dumps({key: float(value) for key, value in evaluated.items()}))
"""

# A serving process: keras, numpy and the package, nothing else of demo named.
LOAD = """
import json
import sys

import keras
import numpy as np

import demo  # noqa: F401  (registers every component)

folder = sys.argv[1]
model = keras.saving.load_model(f"{folder}/model.keras")
x, y = np.load(f"{folder}/x.npy"), np.load(f"{folder}/y.npy")
np.testing.assert_allclose(
    model.predict(x, verbose=0), np.load(f"{folder}/predicted.npy"), rtol=1e-5, atol=1e-6
)
layer, inner = model.layers
found = {
    type(obj).__name__: type(obj).__module__
    for obj in (
        layer,
        inner,
        layer.kernel_initializer,
        layer.kernel_regularizer,
        layer.kernel_constraint,
        model.loss,
    )
}
found["activation"] = keras.saving.get_registered_name(layer.activation)
found["values"] = [
    layer.kernel_initializer.scale,
    layer.kernel_regularizer.factor,
    inner.clip_norm,
    model.loss.threshold,
]
evaluated = model.evaluate(x, y, verbose=0, return_dict=True)
found["evaluated"] = {key: float(value) for key, value in evaluated.items()}
print(json.dumps(found))
"""


def run(command, cwd, timeout=900, env=None):
    result = subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=None if env is None else {**os.environ, **env},
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return result.stdout


def passed(summary):
    """N from pytest's last line, `=== N passed, M skipped in 9.9s ===`."""
    found = re.search(r"(\d+) passed", summary)
    return int(found.group(1)) if found else 0


def readme_commands(readme):
    """The set-up commands of the project's README: its first bash block."""
    block = re.search(r"```bash\n(.*?)```", readme, re.DOTALL).group(1)
    return [shlex.split(line) for line in block.strip().splitlines()]


@pytest.mark.heavy
def test_a_new_project_installs_passes_its_tests_and_loads_every_kind(kgen, tmp_path):
    result = kgen("new", "demo")
    assert result.returncode == 0, result.stderr
    demo = tmp_path / "demo"
    for args in COMPONENTS:
        result = kgen(*args, cwd=demo)
        assert result.returncode == 0, result.stderr

    # A new environment that sees this one's TensorFlow, so that nothing big downloads.
    run(
        [sys.executable, "-m", "venv", "--system-site-packages", tmp_path / "venv"],
        demo,
    )
    python = str(tmp_path / "venv" / "bin" / "python")
    commands = readme_commands((demo / "README.md").read_text())
    assert [command[:3] for command in commands] == [
        ["python", "-m", "pip"],
        ["python", "-m", "pytest"],
    ]
    install, test = ([python, *command[1:]] for command in commands)
    run(install, demo)
    output = run(test, demo)
    summary = output.strip().splitlines()[-1]
    assert passed(summary) and "failed" not in summary, summary
    for args in COMPONENTS:
        kind = args[0]
        assert f"tests/{kind}s/test_" in output or f"tests/{kind}es/test_" in output
    assert "tests/test_package.py ." in output
    # The heavy tests that depend on the project's layout, as its README offers them: a
    # fresh process importing the package, and one importing the test module from its
    # subfolder; for a loss and a layer (every kind's run in other tests' folders).
    layout = "(huber or simple_dense) and (fresh_process or two_devices)"
    heavy = run([*test, "-m", "heavy", "-k", layout], demo).strip().splitlines()[-1]
    assert "skipped" not in heavy and "failed" not in heavy, heavy
    assert passed(heavy) == 4

    # The project's own guard: a module that `import demo` does not reach fails it.
    (demo / "src" / "demo" / "losses" / "stray.py").write_text("STRAY = 1\n")
    stray = subprocess.run(
        [python, "-m", "pytest", "tests/test_package.py"],
        cwd=demo,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert stray.returncode == 1 and "demo.losses.stray" in stray.stdout, stray.stdout
    (demo / "src" / "demo" / "losses" / "stray.py").unlink()

    saved = json.loads(run([python, "-c", SAVE, tmp_path], demo))
    loaded = json.loads(run([python, "-c", LOAD, tmp_path], tmp_path))
    assert loaded.pop("evaluated") == pytest.approx(saved)
    assert loaded == {
        "SimpleDense": "demo.layers.simple_dense",
        "ClippedModel": "demo.models.clipped_model",
        "ScaledNormal": "demo.initializers.scaled_normal",
        "L1Penalty": "demo.regularizers.l1_penalty",
        "NonNegative": "demo.constraints.non_negative",
        "Huber": "demo.losses.huber",
        "activation": "demo>scaled_tanh",
        "values": [0.5, 0.02, 2.0, 0.5],
    }
