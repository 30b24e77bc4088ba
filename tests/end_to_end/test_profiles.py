"""Components ported the way their authors use them, each with a test profile (profiles/
spec.toml: a token embedding on integer ids with sparse labels, a dropout layer, keras-io's
VAE sampling layer on two inputs, a binary focal loss, a label accuracy and a per-class
recall metric, a one-hot classifier model, a loss of the whole batch): their generated
tests pass, and fail on the classic mistake the profile exists for.

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

SPEC = Path(__file__).parent / "profiles" / "spec.toml"

# (component, the body replaced, its mistake, the test meant to catch it)
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


def build(folder: Path, spec_text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "spec.toml").write_text(spec_text, encoding="utf-8")
    plan_build(folder / "spec.toml").apply()


def test_profiled_components_pass_their_fast_tests(tmp_path):
    build(tmp_path, SPEC.read_text(encoding="utf-8"))
    result = run_pytest(tmp_path, "-rA")
    assert result.returncode == 0, result.stdout[-3000:]
    # The math of each on its own data, and the stochastic layer's own contract, ran.
    for test in (
        "test_token_embedding.py::test_computes_the_reference_math",
        "test_token_embedding.py::test_trains[defaults]",
        "test_random_drop.py::test_is_the_same_at_inference",
        "test_sampling.py::test_is_the_same_at_inference",
        "test_sampling.py::test_output_shape_matches_compute_output_shape",
        "test_binary_focal.py::test_computes_the_reference_math",
        "test_label_accuracy.py::test_computes_the_reference_math",
        "test_macro_recall.py::test_computes_the_reference_math",
        "test_macro_recall.py::test_a_zero_sample_weight_leaves_the_sample_out",
        "test_classifier.py::test_computes_the_reference_math",
        "test_centered_squares.py::test_computes_the_reference_math",
    ):
        assert f"PASSED {test}" in result.stdout, test


@pytest.mark.heavy
def test_profiled_components_pass_their_heavy_tests(tmp_path):
    build(tmp_path, SPEC.read_text(encoding="utf-8"))
    # Where a trait changes what the heavy tests compare, and integer inputs in mixed
    # precision; the rest is what every component gets (and slow).
    traits = (
        "random_drop or sampling or centered_squares or (token_embedding and mixed)"
    )
    result = run_pytest(tmp_path, "-rf", "-m", "heavy", "-k", traits, heavy=True)
    assert result.returncode == 0, result.stdout[-3000:]


def mutated(name: str, method: str, body: str) -> str:
    """The spec with `body` in place of `name`'s `method`."""
    text = SPEC.read_text(encoding="utf-8")
    [component] = [c for c in tomllib.loads(text)["component"] if c["name"] == name]
    original = component["bodies"][method]
    assert text.count(original) == 1, (name, method)
    return text.replace(original, body)


@pytest.mark.parametrize(
    ("name", "method", "body", "test"), MISTAKES, ids=[m[0] for m in MISTAKES]
)
def test_the_mistake_the_profile_exists_for_is_caught(
    tmp_path, name, method, body, test
):
    build(tmp_path, mutated(name, method, body))
    result = run_pytest(tmp_path, "-rf", "-k", test)
    assert result.returncode == 1, result.stdout[-3000:]
    assert re.search(rf"FAILED test_\w+\.py::{test}\b", result.stdout), result.stdout[
        -3000:
    ]
    # The report says what the test proves and where to read more.
    kind = "metric" if name == "MacroRecall" else "layer"
    assert "what this test proves" in result.stdout
    assert f"More: kgen explain {kind}" in result.stdout


@pytest.mark.heavy
def test_a_loss_of_the_batch_returning_a_scalar_fails_on_two_devices(tmp_path):
    # Keras divides a loss among devices only when call gives one value per sample.
    body = """
errors = y_pred - y_true
return ops.mean(ops.square(errors - ops.mean(errors)))
"""
    build(tmp_path, mutated("CenteredSquares", "call", body))
    result = run_pytest(tmp_path, "-rf", "-k", "two_devices", heavy=True)
    assert result.returncode == 1, result.stdout[-3000:]
    assert (
        "FAILED test_centered_squares.py::test_trains_on_two_devices" in result.stdout
    )


def test_an_embedding_whose_ids_run_past_its_table_fails(tmp_path):
    # The declared ids reach 999: a table of 100 rows cannot hold them.
    spec = SPEC.read_text(encoding="utf-8").replace(
        "vocabulary_size = 1000", "vocabulary_size = 100"
    )
    assert spec != SPEC.read_text(encoding="utf-8")
    build(tmp_path, spec)
    result = run_pytest(tmp_path, "-rf", "-k", "token_embedding and test_trains")
    assert result.returncode == 1, result.stdout[-3000:]
    assert "FAILED test_token_embedding.py::test_trains[samples]" in result.stdout
