"""The lowest Keras and TensorFlow that pyproject.toml declares are enough: generated
components pass their fast and heavy tests there, in a virtual environment of their own.
Needs PyPI (or pip's cache)."""

import re
import subprocess
import sys
import tomllib
import venv

import pytest
from conftest import ROOT, passed_and_skipped, run_pytest
from packaging.version import Version

# What needs the newest Keras: metric state summed across devices (3.10), a plain function
# as a weight's constraint (3.15), and a model built as Name(inputs, outputs).
COMPONENTS = [
    ("metric", "SampleMetric", "-p", "rate"),
    ("model", "GraphModel", "-p", "clip=1.0", "--style", "functional"),
    ("constraint", "constraint_fn", "-p", "rate", "--style", "function"),
]


def lowest_declared(package):
    """The version that `package>=VERSION` names among pyproject.toml's dependencies
    (a backend's: its extra's)."""
    with open(ROOT / "pyproject.toml", "rb") as file:
        project = tomllib.load(file)["project"]
    extras = project["optional-dependencies"]
    for dependency in project["dependencies"] + extras.get(package, []):
        found = re.fullmatch(rf"{package}\s*>=\s*([\w.]+)", dependency)
        if found:
            return found.group(1)
    raise AssertionError(f"pyproject.toml declares no lower bound for {package}")


def installed_versions(python):
    script = "import keras, tensorflow as tf; print(keras.__version__, tf.__version__)"
    result = subprocess.run(
        [python, "-c", script], capture_output=True, text=True, check=True
    )
    return [Version(v) for v in result.stdout.split()]


@pytest.mark.heavy
def test_generated_components_pass_with_the_lowest_declared_versions(tmp_path):
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = str(environment / "bin" / "python")
    pins = {package: lowest_declared(package) for package in ("keras", "tensorflow")}
    install = subprocess.run(
        [python, "-m", "pip", "install", "-q", "pytest"]
        + [f"{package}=={version}" for package, version in pins.items()],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    assert installed_versions(python) == [Version(v) for v in pins.values()]
    folder = tmp_path / "components"
    folder.mkdir()
    for args in COMPONENTS:
        subprocess.run([sys.executable, "-m", "kgen", *args], cwd=folder, check=True)
    result = run_pytest(folder, heavy=True, python=python)
    passed, skipped = passed_and_skipped(result)
    assert (result.returncode, skipped) == (0, 0), result.stdout[-3000:]
    assert passed >= len(COMPONENTS) * 6
