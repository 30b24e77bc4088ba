"""Every kind, generated with params of every type, passes its own tests out of the box:
the fast ones by default, and the heavy ones (fresh process, XLA, two devices, mixed
precision) when asked for."""

import shutil
import subprocess

import pytest
from conftest import assert_clean_code, passed_and_skipped, run_pytest

import kgen.kinds

ALL_TYPES = [
    "-p",
    "rate",
    "-p",
    "steps:int=3",
    "-p",
    "enabled=True",
    "-p",
    "mode:str=sum",
    "-p",
    "sizes=[1, 2]",
    "-p",
    "scales:list[float]=[0.5]",
    "-p",
    "tags:list[str]",
    "-p",
    "act:activation=relu",
    "-p",
    "kernel_init:initializer=he_normal",
    "-p",
    "reg:regularizer=l2",
    "-p",
    "con:constraint=non_neg",
    "-p",
    "axes:int|list[int]=[1]",
]
# The class style takes required params and Keras objects held whole too (not a callback
# or an optimizer: their from_config is their own).
CLASS_TYPES = ["-p", "width:int=...", "-p", "inner:model=None"]
KINDS = list(kgen.kinds.KINDS)
HOLDS_OBJECTS = {name for name, kind in kgen.kinds.KINDS.items() if kind.nests}
FUNCTION_KINDS = [name for name, kind in kgen.kinds.KINDS.items() if kind.function]


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory):
    """A folder with one component of every kind, and three variations on where things go."""
    folder = tmp_path_factory.mktemp("every_kind")

    def kgen(*args):
        result = subprocess.run(
            [shutil.which("kgen"), *args], cwd=folder, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr

    for kind in KINDS:
        more = CLASS_TYPES if kind in HOLDS_OBJECTS else CLASS_TYPES[:2]
        name = f"Sample{kind.title()}"
        kgen(kind, name, *ALL_TYPES, *more, "--style", "class", "--explain")
    kgen("model", "GraphModel", *ALL_TYPES, "--style", "functional", "--explain")
    for kind in FUNCTION_KINDS:
        kgen(kind, f"{kind}_fn", *ALL_TYPES, "--style", "function")
        kgen(kind, f"plain_{kind}_fn", "--style", "function", "--explain")
    # Zero params, snake_case name, tests in another folder:
    kgen("layer", "plain_layer", "--tests-dir", "tests")
    # Inside a package, registered under its own name:
    (folder / "mypkg").mkdir()
    (folder / "mypkg" / "__init__.py").write_text("")
    kgen("loss", "Focal", "-p", "gamma=2.0", "--package", "mypkg", "--out", "mypkg",
         "--tests-dir", "tests")  # fmt: skip
    return folder


def test_generated_code_is_clean(every_kind):
    test_source = (every_kind / "tests" / "test_focal.py").read_text()
    assert (
        'module = importlib.import_module("mypkg.focal")\nFocal = module.Focal'
        in test_source
    )
    assert (every_kind / "conftest.py").is_file()
    assert (every_kind / "tests" / "conftest.py").is_file()
    assert_clean_code(every_kind)


def test_fast_tests_pass_and_heavy_ones_wait_to_be_asked(every_kind):
    passed, skipped = passed_and_skipped(run_pytest(every_kind))
    assert passed >= 90
    assert skipped >= 3 * 20  # every module has at least three heavy tests


@pytest.fixture(scope="module")
def heavy_kinds(tmp_path_factory):
    """What the examples' heavy tests do not cover: the class-style activation, and a layer
    and a model with a param of every type, on their default bodies (the function style's
    shared template is huber_fn's and my_softplus's); and, in tests/, a layer and a loss in
    a package, whose heavy tests `pytest -m heavy` must select alone."""
    folder = tmp_path_factory.mktemp("heavy_kinds")
    commands = [
        [kind, f"Sample{kind.title()}", *ALL_TYPES, *CLASS_TYPES, "--style", "class"]
        for kind in ("activation", "layer", "model")
    ]
    commands += [
        ["layer", "plain_layer", "--tests-dir", "tests"],
        ["loss", "Focal", "-p", "gamma=2.0", "--package", "mypkg", "--out", "mypkg",
         "--tests-dir", "tests"],
    ]  # fmt: skip
    (folder / "mypkg").mkdir()
    (folder / "mypkg" / "__init__.py").write_text("")
    for args in commands:
        result = subprocess.run(
            [shutil.which("kgen"), *args], cwd=folder, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
    return folder


@pytest.mark.heavy
def test_pytest_m_heavy_runs_the_heavy_tests_alone(heavy_kinds):
    """One run, TensorFlow started once: every heavy test passes, and no fast one runs."""
    passed, skipped = passed_and_skipped(run_pytest(heavy_kinds, "-m", "heavy"))
    # Four each (a fresh process, XLA, two devices, mixed precision); the loss: three.
    assert (passed, skipped) == (4 * 4 + 3, 0)
