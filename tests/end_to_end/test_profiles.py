"""Components ported the way their authors use them, each with a test profile (profiles/
spec.toml: a token embedding on integer ids with sparse labels, a dropout layer, keras-io's
VAE sampling layer on two inputs, stochastic depth (its training path against a seeded
reference), a group normalization whose bools gate its weights, a binary focal loss, a
label accuracy and a per-class recall metric, a one-hot classifier model, an autoencoder
that trains without targets, compiled with loss=None, and reports its own metric, a loss
of the whole batch, and sparse-label losses and a metric with the default bodies): their
generated tests pass, and fail on the classic mistake the profile exists for.

kgen found one mistake in a published component this way: keras-io's sampling layer draws
float32 noise, which fails under mixed precision; the ported one draws in its inputs'
dtype.
"""

import re
import tomllib
from pathlib import Path

import pytest
from conftest import run_pytest

from kgen.build import plan_build
from kgen.names import derive_names

SPEC = Path(__file__).parent / "profiles" / "spec.toml"

# (component, the body replaced, its mistake, the test meant to catch it); each is built as
# Broken<component> beside the ported ones (a second mistake in one: Broken<component>2).
MISTAKES = [
    # Random at inference too: predict and a loaded model give other answers every call.
    (
        "RandomDrop",
        "call",
        "return keras.random.dropout(inputs, self.rate, seed=self.seed_generator)",
        "test_is_the_same_at_inference",
    ),
    # keras-io's VAE sampling layer as published: it draws at inference too, so a saved
    # encoder never gives the same code twice.
    (
        "Sampling",
        "call",
        """
z_mean, z_log_var = inputs
epsilon = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
return z_mean + ops.exp(0.5 * z_log_var) * epsilon
""",
        "test_is_the_same_at_inference",
    ),
    # `trainable` (whether the weights train) taken for `training` (the call's mode):
    # it never drops anything, in training or not.
    (
        "RandomDrop",
        "call",
        """
if not self.trainable:
    return keras.random.dropout(inputs, self.rate, seed=self.seed_generator)
return inputs
""",
        "test_draws_in_training",
    ),
    # Stochastic depth dropping the shortcut instead of the residual branch: its
    # inference path is right, so only the training reference shows it.
    (
        "StochasticDepth",
        "call",
        """
shortcut, residual = inputs
if not training:
    return shortcut + residual
keep = 1.0 - self.rate
draw = keras.random.uniform(
    (ops.shape(residual)[0], 1), dtype=residual.dtype, seed=self.seed_generator
)
return shortcut * ops.floor(keep + draw) / keep + residual
""",
        "test_computes_the_reference_math_in_training",
    ),
    # A per-class metric that sums over the classes too: the scalar is broadcast into
    # its (3,) state, silently (TF Addons' F1Score ported as generated: F1 = -2.46).
    (
        "MacroRecall",
        "update_state",
        """
y_true = ops.one_hot(ops.cast(ops.reshape(y_true, (-1,)), "int32"), self.num_classes)
y_pred = ops.one_hot(ops.argmax(y_pred, axis=-1), self.num_classes)
self.hits.assign_add(ops.sum(y_true * y_pred))
self.actual.assign_add(ops.sum(y_true, axis=0))
""",
        "test_computes_the_reference_math",
    ),
]


# A param the math ignores, its effect written as a constant that happens to equal its
# test value (gamma=1.0): only the run with the defaults shows it (as ops.gelu's own
# default hides a GELU layer ignoring its `approximate`).
IGNORED_PARAM = (
    "BinaryFocal",
    "call",
    """
y_pred = ops.clip(y_pred, 1e-7, 1 - 1e-7)
p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
return ops.mean(-(1 - p_t) * ops.log(p_t), axis=-1)
""",
    "test_computes_the_reference_math",
)
MISTAKES.append(IGNORED_PARAM)

# A train_step without scale_loss, in a model compiled with arguments of its own
# (loss=None) but the tests' optimizer: a LossScaleOptimizer's updates come out 32768
# times too small.
UNSCALED = (
    "AutoEncoder",
    "train_step",
    """
x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
with tf.GradientTape() as tape:
    reconstruction = self(x, training=True)
    loss = ops.mean(ops.square(ops.cast(x, reconstruction.dtype) - reconstruction))
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    scaled_loss = loss / replicas
gradients = tape.gradient(scaled_loss, self.trainable_variables)
self.optimizer.apply(gradients, self.trainable_variables)
self.reconstruction_tracker.update_state(loss)
return {"reconstruction_loss": self.reconstruction_tracker.result()}
""",
    "test_train_step_scales_the_loss_for_mixed_precision",
)
MISTAKES.append(UNSCALED)

# A weight gated by a bool, ignored by the math: gamma, which ARGS turns off.
GATED_WEIGHT = (
    "FeatureGroupNorm",
    "call",
    """
features = inputs.shape[-1]
grouped = ops.reshape(inputs, (-1, self.groups, features // self.groups))
mean, variance = ops.moments(grouped, axes=[2], keepdims=True)
normalized = (grouped - mean) / ops.sqrt(variance + self.epsilon)
outputs = ops.reshape(normalized, (-1, features))
if self.center:
    outputs = outputs + self.beta
return outputs
""",
    "test_computes_the_reference_math",
)
MISTAKES.append(GATED_WEIGHT)

# The ported components' tests that show each profile at work.
SHOWN = (
    "test_token_embedding.py::test_computes_the_reference_math",
    "test_token_embedding.py::test_trains[defaults]",
    "test_random_drop.py::test_is_the_same_at_inference",
    "test_random_drop.py::test_draws_in_training",
    "test_stochastic_depth.py::test_computes_the_reference_math_in_training",
    "test_feature_group_norm.py::test_computes_the_reference_math",
    "test_sampling.py::test_is_the_same_at_inference",
    "test_sampling.py::test_output_shape_matches_compute_output_shape",
    "test_binary_focal.py::test_computes_the_reference_math",
    "test_label_accuracy.py::test_computes_the_reference_math",
    "test_macro_recall.py::test_computes_the_reference_math",
    "test_macro_recall.py::test_a_zero_sample_weight_leaves_the_sample_out",
    "test_classifier.py::test_computes_the_reference_math",
    "test_centered_squares.py::test_computes_the_reference_math",
    "test_auto_encoder.py::test_trains[defaults]",
    "test_auto_encoder.py::test_evaluate_runs_its_test_step",
    "test_auto_encoder.py::test_train_step_scales_the_loss_for_mixed_precision",
    "test_sparse_brier.py::test_computes_the_reference_math",
    "test_sparse_brier_fn.py::test_computes_the_reference_math",
    "test_sparse_mae.py::test_computes_the_reference_math",
)


def tables(text: str) -> dict[str, str]:
    """Each [[component]] table of a spec, by the component's name."""
    found = {}
    for table in text.split("[[component]]")[1:]:
        [name] = re.findall(r'^name = "(\w+)"', table, re.MULTILINE)
        found[name] = "[[component]]" + table
    return found


def broken_names() -> list[str]:
    """The name each of MISTAKES is built under, in their order."""
    names = []
    for name, *_ in MISTAKES:
        count = sum(each.startswith(f"Broken{name}") for each in names)
        names.append(f"Broken{name}{count + 1 if count else ''}")
    return names


def broken(name: str, method: str, body: str, as_name: str = "") -> str:
    """`name`'s table as `as_name` (Broken<name>), with `body` in place of its `method`."""
    table = tables(SPEC.read_text(encoding="utf-8"))[name]
    original = tomllib.loads(table)["component"][0]["bodies"][method]
    assert table.count(original) == 1, (name, method)
    table = table.replace(original, body)
    return table.replace(f'name = "{name}"', f'name = "{as_name or "Broken" + name}"')


def unparametrized(test_id: str) -> str:
    """`test_x.py::test_trains` for `test_x.py::test_trains[samples]`."""
    return re.sub(r"\[[^]]+\]$", "", test_id)


def build(folder: Path, spec_text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "spec.toml").write_text(spec_text, encoding="utf-8")
    plan_build(folder / "spec.toml").apply()


def test_ported_components_pass_and_their_classic_mistakes_fail(tmp_path):
    # An embedding whose table is too small for the declared ids (up to 999).
    too_small = tables(SPEC.read_text(encoding="utf-8"))["TokenEmbedding"].replace(
        "vocabulary_size = 1000", "vocabulary_size = 100"
    )
    assert "vocabulary_size = 100," in too_small
    spec = "\n".join(
        [
            SPEC.read_text(encoding="utf-8"),
            *(
                broken(name, method, body, as_name)
                for (name, method, body, _), as_name in zip(MISTAKES, broken_names())
            ),
            too_small.replace(
                'name = "TokenEmbedding"', 'name = "BrokenTokenEmbedding"'
            ),
        ]
    )
    build(tmp_path, spec)
    result = run_pytest(tmp_path, "-rA")
    passed = set(re.findall(r"^PASSED (\S+)", result.stdout, re.MULTILINE))
    failed = set(re.findall(r"^FAILED (\S+?)(?: - |$)", result.stdout, re.MULTILINE))
    # The ported components pass everything, on their own data and traits.
    assert not {f for f in failed if "broken" not in f}, result.stdout[-3000:]
    assert set(SHOWN) <= passed | {unparametrized(p) for p in passed}, result.stdout
    # Each mistake fails the test meant for it, and says what that test proves.
    expected = {
        f"{derive_names(as_name).test_module}.py::{test}"
        for (*_, test), as_name in zip(MISTAKES, broken_names())
    }
    assert expected <= {unparametrized(f) for f in failed}, result.stdout[-3000:]
    assert "test_broken_token_embedding.py::test_trains[samples]" in failed
    ignored = "test_broken_binary_focal.py::test_computes_the_reference_math"
    assert {f"{ignored}[defaults]", f"{ignored}[samples]"} & failed == {
        f"{ignored}[defaults]"
    }
    # ...and its report names the param, with the value the math hard-codes.
    assert (
        "gamma changes nothing in the result: it is what reference() gives with "
        "gamma=1.0" in result.stdout
    )
    # Gamma ignored: the defaults' gamma is ones, ARGS's scale=False builds none; only
    # ARGS with scale back on checks gamma (initialized he_normal).
    gated = "test_broken_feature_group_norm.py::test_computes_the_reference_math"
    assert {f for f in failed if f.startswith(gated)} == {f"{gated}[scale=True]"}
    assert "what this test proves" in result.stdout
    assert "More: kgen explain layer" in result.stdout
    assert "More: kgen explain metric" in result.stdout


@pytest.mark.heavy
def test_profiled_components_pass_their_heavy_tests(tmp_path):
    build(tmp_path, SPEC.read_text(encoding="utf-8"))
    # Where a trait changes what the heavy tests compare, beyond the examples that have
    # it (Sampling and TransformerBlock: random, several inputs; TokenAndPosition-
    # Embedding: integer ids; VAE and GAN: no targets, own metrics; GradientNorm: a
    # metric of each batch): the rest is what every component gets.
    traits = "(random_drop and xla) or (centered_squares and two_devices)"
    result = run_pytest(tmp_path, "-rf", "-m", "heavy", "-k", traits, heavy=True)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.heavy
def test_a_loss_left_whole_on_each_device_fails_on_two_devices(tmp_path):
    # Keras divides a loss among devices only when a Loss's call gives one value per
    # sample; a loss computed by hand in train_step (keras-io's VAE and GAN steps) is not
    # divided at all. Either way the devices' summed gradients are twice the batch's.
    scalar = """
errors = y_pred - y_true
return ops.mean(ops.square(errors - ops.mean(errors)))
"""
    undivided = tables(SPEC.read_text(encoding="utf-8"))["AutoEncoder"]
    undivided = undivided.replace(
        "scaled_loss = self.optimizer.scale_loss(loss / replicas)",
        "scaled_loss = self.optimizer.scale_loss(loss)",
    )
    assert "scale_loss(loss)" in undivided
    spec = "\n".join(
        [
            broken("CenteredSquares", "call", scalar),
            undivided.replace('name = "AutoEncoder"', 'name = "BrokenAutoEncoder"'),
        ]
    )
    build(tmp_path, spec)
    result = run_pytest(tmp_path, "-rf", "-k", "two_devices", heavy=True)
    assert result.returncode == 1, result.stdout[-3000:]
    for module in ("test_broken_centered_squares", "test_broken_auto_encoder"):
        assert f"FAILED {module}.py::test_trains_on_two_devices" in result.stdout
