"""The wheel carries every template: an editable install reads them from the source tree
and would hide one that a real install lacks. kgen[jax] installed alone, without
TensorFlow, generates and checks on JAX."""

import os
import subprocess
import sys
import venv
import zipfile

import pytest
from conftest import ROOT


@pytest.mark.heavy
def test_the_wheel_holds_every_template(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp_path, ROOT],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = tmp_path.glob("kgen-*.whl")
    packed = set(zipfile.ZipFile(wheel).namelist())
    templates = ROOT / "templates"
    shipped = {
        "kgen/templates/" + path.relative_to(templates).as_posix()
        for path in templates.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert shipped - packed == set()
    assert "kgen/templates/project/cookiecutter.json" in shipped


@pytest.mark.heavy
def test_kgen_jax_installs_and_checks_without_tensorflow(tmp_path):
    """`pip install "kgen[jax]"` into a virtual environment of its own (no system
    site-packages) is enough to generate a component and check it on JAX: TensorFlow
    is not installed there. Needs PyPI (or pip's cache)."""
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python, kgen = environment / "bin" / "python", environment / "bin" / "kgen"
    install = subprocess.run(
        [python, "-m", "pip", "install", "-q", f"{ROOT}[jax]"],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    tensorflow = subprocess.run(
        [python, "-c", "import tensorflow"], capture_output=True, text=True
    )
    assert "No module named 'tensorflow'" in tensorflow.stderr

    folder = tmp_path / "components"
    folder.mkdir()
    clean = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    jax = {**clean, "KERAS_BACKEND": "jax"}

    def run(*arguments, env=jax):
        return subprocess.run(
            arguments, cwd=folder, capture_output=True, text=True, env=env, timeout=900
        )

    generated = run(kgen, "loss", "Huber", "--param", "threshold")
    assert generated.returncode == 0, generated.stderr
    checked = run(kgen, "check", "huber.py", "--backend", "jax")
    assert checked.returncode == 0, checked.stdout + checked.stderr[-3000:]
    assert checked.stdout.startswith("huber.py (jax)\n")
    assert "1 component checked on jax: 1 passed every contract" in checked.stdout
    # Its generated tests run there too, on JAX.
    tested = run(
        python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_huber.py"
    )
    assert tested.returncode == 0, tested.stdout[-3000:]
    # TensorFlow, the default backend, is not there: one line says how to install it.
    refused = run(kgen, "check", "huber.py", env=clean)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr == (
        "kgen: error: backend tensorflow needs tensorflow, which is not installed: "
        'pip install "kgen[tensorflow]"\n'
    )
