import ast

import pytest

from kgen import generate
from kgen.errors import KgenError
from kgen.generate import Target, module_source
from kgen.kinds import KINDS
from kgen.spec import make_spec


@pytest.mark.parametrize(
    ("kind", "param"),
    [
        ("loss", "reduction"),
        ("loss", "name"),
        ("loss", "dtype"),
        ("layer", "trainable"),
        ("layer", "weights"),
        ("metric", "variables"),
        ("initializer", "seed"),
        ("model", "optimizer"),
        ("layer", "kernel"),  # the default build() makes self.kernel
        ("metric", "total"),  # the default state variables
        ("model", "dense"),  # the default sublayer
        ("regularizer", "keras"),
        ("constraint", "ops"),
    ],
)
def test_refuses_params_that_clash_with_the_base_class(kind, param):
    with pytest.raises(KgenError, match="clashes"):
        make_spec(kind, "Thing", [param])


def test_a_near_miss_of_a_reserved_name_is_fine():
    assert make_spec("layer", "Thing", ["weights_"]).params[0].name == "weights_"


@pytest.mark.parametrize("kind", KINDS.values(), ids=lambda k: k.name)
def test_every_attribute_a_default_body_sets_is_reserved(kind):
    tree = ast.parse(module_source(make_spec(kind.name, "Thing")))
    assigned = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Store)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
        and not node.attr.startswith("_")
    }
    assert assigned <= kind.reserved, sorted(assigned - kind.reserved)


def test_refuses_a_param_given_twice():
    with pytest.raises(KgenError, match="given twice"):
        make_spec("loss", "Huber", ["threshold", "threshold=2.0"])


@pytest.mark.parametrize("kind", ["widget", "", "Loss"])
def test_refuses_an_unknown_kind(kind):
    with pytest.raises(KgenError, match="unknown kind"):
        make_spec(kind, "Huber")


@pytest.mark.parametrize("package", ["", "a>b", "my package", "pkg.", "1pkg"])
def test_refuses_a_bad_package(package):
    with pytest.raises(KgenError, match="not a package name"):
        make_spec("loss", "Huber", package=package)


def test_refuses_a_body_that_does_not_parse_or_has_no_method():
    with pytest.raises(KgenError, match="does not parse"):
        make_spec("loss", "Huber", bodies={"call": "return ("})
    with pytest.raises(KgenError, match=r"no method 'build' in a loss \(class style\)"):
        make_spec("loss", "Huber", bodies={"build": "pass"})
    with pytest.raises(KgenError, match="bodies can be given for: function"):
        make_spec("loss", "Huber", style="function", bodies={"call": "pass"})


def test_registered_name_uses_the_package():
    assert (
        make_spec("loss", "Huber", package="my_pkg").registered_name == "my_pkg>Huber"
    )


def test_a_callback_shows_an_optional_hook_once_given_a_body():
    optional = sorted(KINDS["callback"].optional_methods)
    plain = module_source(make_spec("callback", "Probe"))
    assert not any(f"def {hook}(" in plain for hook in optional)
    bodies = {hook: "pass" for hook in optional}
    full = module_source(make_spec("callback", "Probe", bodies=bodies))
    assert all(f"def {hook}(" in full for hook in optional)


def test_a_reference_taking_training_is_a_layers():
    layer = make_spec(
        "layer", "Drop", reference="return inputs if training else inputs"
    )
    assert layer.reference_in_training
    assert layer.reference_arguments == ["training=False"]
    assert not make_spec(
        "layer", "Plain", reference="return inputs"
    ).reference_in_training
    with pytest.raises(KgenError, match="`training` is a class-style layer's"):
        make_spec("loss", "Huber", reference="return y_true if training else y_pred")


def test_each_bool_flipped_by_args_is_also_tested_back_at_its_default():
    params = [
        "center:bool=True",
        "scale:bool=True",
        "beta_initializer:initializer=zeros",
    ]
    spec = make_spec("layer", "Norm", params)
    assert spec.one_bool_back == [
        ("center=True", '{**ARGS, "center": True}'),
        ("scale=True", '{**ARGS, "scale": True}'),
    ]
    # A bool alone: back at its default, ARGS is the defaults.
    assert make_spec("layer", "Gated", ["use_bias:bool=True"]).one_bool_back == []


@pytest.mark.parametrize(
    ("kind", "method", "arguments"),
    [
        ("optimizer", "update_step", "gradients, variable, learning_rate, rate=0.5"),
        ("callback", "on_epoch_end", "epoch_logs, rate=0.5"),
    ],
)
def test_an_optimizer_and_a_callback_are_compared_with_their_reference(
    tmp_path, kind, method, arguments
):
    bodies = {method: "pass"}
    spec = make_spec(kind, "Probe", ["rate=0.5"], bodies=bodies, reference="return 7")
    tests = generate.test_source(spec, Target(tmp_path))
    assert f"def reference({arguments}):\n" in tests
    assert "    return 7\n" in tests
    assert "def test_computes_the_reference_math(args):" in tests
    assert "pytest.mark.skip" not in tests
    # Without a reference, a body of the user's leaves the test skipped, with the reason.
    unreferenced = generate.test_source(
        make_spec(kind, "Probe", bodies=bodies), Target(tmp_path)
    )
    assert f"write reference(): the math of your {method}" in unreferenced


@pytest.mark.parametrize(
    ("backend", "body", "used", "its_own"),
    [
        (
            "jax",
            "with tf.GradientTape() as t:\n    pass\nreturn {}",
            "tf",
            "tensorflow",
        ),
        ("torch", "return {'x': jnp.zeros(())}", "jnp", "jax"),
        ("tensorflow", "return {'x': torch.zeros(())}", "torch", "torch"),
    ],
)
def test_a_model_s_steps_use_no_other_backend(backend, body, used, its_own):
    """A GradientTape in a JAX model would import TensorFlow beside JAX, and fail only
    once its tests ran."""
    message = (
        rf"body of train_step uses {used} \({its_own}\), but the model is written for"
    )
    with pytest.raises(KgenError, match=message):
        make_spec("model", "M", bodies={"train_step": body}, backend=backend)
    make_spec("model", "M", bodies={"train_step": body}, backend=its_own)


@pytest.mark.parametrize(
    ("where", "given"),
    [
        ("the module extra", {"module_extra": "import tensorflow as tf"}),
        ("the extra members", {"extra": "def f(self):\n    from torch import nn"}),
        ("the imports", {"imports": ["import torch"]}),
    ],
)
def test_a_model_s_other_code_imports_no_other_backend(where, given):
    """An import is a use too: a JAX model's module importing torch or TensorFlow loads
    both backends."""
    with pytest.raises(KgenError, match=rf"M: {where} uses \w+ \(\w+\), but the model"):
        make_spec("model", "M", backend="jax", **given)
