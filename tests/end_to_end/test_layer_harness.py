"""Keras's own layer test harness (config and serialization round trips, build, symbolic and
eager calls, a training step, mixed precision) passes on generated layers.

The harness is private Keras API, so the generated tests check the same points with public
API; the tool's own tests run the real thing."""

import importlib

import pytest
from conftest import EXAMPLES
from keras.src.testing import TestCase

from kgen.generate import Target, plan
from kgen.names import derive_names
from kgen.spec import make_spec
from kgen.writer import plan_actions, write_files

OBJECT_PARAMS = [
    "act:activation=relu",
    "kernel_init:initializer=he_normal",
    "reg:regularizer=l2",
    "con:constraint=non_neg",
]


def generate_layer(folder, name, params):
    files = plan(make_spec("layer", name, params), Target(out=folder))
    write_files(files, plan_actions(files))


# The harness fits on a generator with shuffle=True, which Keras warns it ignores.
@pytest.mark.filterwarnings("ignore:`shuffle=True` was passed")
@pytest.mark.parametrize(
    ("module", "params", "output_units", "weights", "losses"),
    [
        ("plain_map", [], 4, 1, 0),
        ("object_map", OBJECT_PARAMS, 4, 1, 1),  # the regularizer adds a loss
        (
            "simple_dense",
            None,
            None,
            2,
            1,
        ),  # the example; its units are the tests' ARGS
    ],
)
def test_generated_layers_pass_keras_layer_test(
    tmp_path, monkeypatch, module, params, output_units, weights, losses
):
    folder = EXAMPLES if params is None else tmp_path
    if params is not None:
        generate_layer(tmp_path, module, params)
    monkeypatch.syspath_prepend(str(folder))
    tests = importlib.import_module(f"test_{module}")
    layer_class = getattr(
        importlib.import_module(module), derive_names(module).class_name
    )
    TestCase(methodName="run_layer_test").run_layer_test(
        layer_class,
        init_kwargs=tests.ARGS,
        input_shape=(2, 4),
        expected_output_shape=(2, output_units or tests.ARGS["units"]),
        expected_num_trainable_weights=weights,
        expected_num_non_trainable_weights=0,
        expected_num_losses=losses,
        supports_masking=False,
    )
