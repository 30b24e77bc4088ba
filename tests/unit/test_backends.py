import subprocess
import sys

import pytest

from kgen.backends import default_backend, parse_backends, require_installed
from kgen.errors import KgenError


def test_the_project_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    assert default_backend("jax") == "jax"
    assert default_backend(None) == "torch"
    assert default_backend(None, environment=False) == "tensorflow"


def test_without_a_setting_it_is_tensorflow(monkeypatch):
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    assert default_backend(None) == "tensorflow"


def test_an_unknown_environment_backend_is_named(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "numpyy")
    with pytest.raises(KgenError, match="KERAS_BACKEND: unknown backend 'numpyy'"):
        default_backend(None)


def test_backends_are_listed_once_in_order():
    assert parse_backends("jax, tensorflow,jax") == ["jax", "tensorflow"]
    with pytest.raises(KgenError, match="unknown backend 'tf'"):
        parse_backends("tf")
    with pytest.raises(KgenError, match="separated by commas"):
        parse_backends("jax,")


def test_a_missing_backend_names_its_extra(monkeypatch):
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(KgenError, match=r'pip install "kgen\[jax\]"'):
        require_installed("jax")


HIDDEN = """
import importlib.util

from kgen.backends import hidden_import, hide_other_backends

hide_other_backends("jax")
assert importlib.util.find_spec("tensorflow") is None
try:
    import tensorflow  # noqa: F401
except ModuleNotFoundError as error:
    print(hidden_import(error, "a.py, line 2"))
"""


def test_a_process_on_one_backend_sees_no_other():
    """kgen check's worker off TensorFlow: TensorFlow hidden, as if not installed, and
    an import of it told as such."""
    result = subprocess.run(
        [sys.executable, "-c", HIDDEN],
        capture_output=True,
        text=True,
        env={"KERAS_BACKEND": "jax"},
        check=True,
    )
    assert result.stdout == (
        "it imports tensorflow (a.py, line 2), which Keras on jax does not use: kgen "
        "check on jax runs it as a machine without tensorflow would\n"
    )
