"""A kind is one unit: a record plus a folder of templates. A kind made here, in a temporary
folder, works through every command without any other file of kgen being edited."""

import importlib
import json

import pytest
from conftest import passed_and_skipped, run_pytest
from typer.testing import CliRunner

import kgen.cli
from kgen.kinds import (
    CONFIG_STEP,
    KINDS,
    REGISTER_STEP,
    Kind,
    ModelSetup,
    Note,
    Step,
    register_kind,
)

MODULE = """{% extends "_module.py.j2" %}
{% from "_macros.j2" import body with context %}
{% block example %}
layer = keras.layers.Dense(8, kernel_regularizer={{ names.class_name }}({{ spec.example_args }}))
{% endblock %}
{% block methods %}

    # kgen-explain: penalty_call
    def __call__(self, x):
{% call body("__call__") %}
        return self.rate * ops.sum(ops.abs(x))
{% endcall %}
{% endblock %}
{% block base_config %}
        config = {}
{% endblock %}
"""

CHECKS = """{% from "_macros.j2" import reference with context %}
{% call reference("x", spec.math_method) %}
    return rate * np.sum(np.abs(x))
{% endcall %}
def test_computes_the_reference_math():
    x, _ = make_data()
    value = keras.ops.convert_to_numpy({{ spec.configured }}(x))
    np.testing.assert_allclose(value, reference(x, **ARGS), rtol=1e-5)
"""


@pytest.fixture
def penalty_kind(tmp_path_factory):
    """The synthetic kind `penalty`, registered for one test, and the CLI rebuilt with it."""
    folder = tmp_path_factory.mktemp("penalty_templates")
    (folder / "module.py.j2").write_text(MODULE)
    (folder / "checks.py.j2").write_text(CHECKS)
    register_kind(
        Kind(
            name="penalty",
            base="keras.regularizers.Regularizer",
            summary="a weight penalty (a regularizer by another name)",
            subpackage="penalties",
            examples=("kgen penalty L1 -p rate=0.01",),
            methods=("init", "__call__"),
            math_method="__call__",
            model_setup=ModelSetup(
                "keras.layers.Dense(4, kernel_regularizer={})",
                found="{}.layers[0].kernel_regularizer",
            ),
            base_attributes=frozenset({"from_config", "get_config"}),
            templates=folder,
            walkthrough=(
                REGISTER_STEP,
                Step("__call__(self, x)", "a scalar penalty", ("penalty_call",)),
                CONFIG_STEP,
            ),
            notes={"penalty_call": Note("The penalty Keras adds to the loss.")},
        )
    )
    importlib.reload(kgen.cli)
    yield
    del KINDS["penalty"]
    importlib.reload(kgen.cli)


def run(*args):
    result = CliRunner().invoke(kgen.cli.app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_new_kind_works_through_every_command(penalty_kind, tmp_path, monkeypatch):
    loose = tmp_path / "loose"
    loose.mkdir()
    monkeypatch.chdir(loose)
    run("penalty", "L1", "-p", "rate=0.01", "--explain")
    assert "The penalty Keras adds to the loss." in (loose / "l1.py").read_text()
    assert "kgen penalty L1 -p rate=0.01" in run("penalty", "--help")
    assert "1. @keras.saving" in run("explain", "penalty")
    listed = json.loads(run("list", "--json"))["kinds"]
    assert (
        "__call__(x)"
        in next(k for k in listed if k["kind"] == "penalty")["styles"]["class"]
    )

    monkeypatch.chdir(tmp_path)
    run("new", "demo")
    demo = tmp_path / "demo"
    assert (demo / "src/demo/penalties/__init__.py").is_file()
    monkeypatch.chdir(demo)
    run("penalty", "L2", "-p", "rate=0.02")
    assert (
        "from .l2 import L2 as L2"
        in (demo / "src/demo/penalties/__init__.py").read_text()
    )
    (demo / "spec.toml").write_text(
        '[[component]]\nkind = "penalty"\nname = "Lasso"\nparams = ["rate=0.1"]\n'
    )
    run("build", "spec.toml")
    assert (demo / "src/demo/penalties/lasso.py").is_file()
    run("destroy", "penalty", "L2")
    assert not (demo / "src/demo/penalties/l2.py").exists()
    run("eject", "penalty")
    assert (demo / "kgen_templates/penalty/module.py.j2").read_text() == MODULE

    passed, _ = passed_and_skipped(run_pytest(loose))
    assert passed >= 5  # the shared tests and the kind's own, on the generated module
