"""The generated tests can fail: each classic mistake, written into a body, is caught by the
test meant for it."""

import re
import tomllib

import pytest
from conftest import EXAMPLES, run_pytest

from kgen.generate import Target, plan
from kgen.names import derive_names
from kgen.spec import make_spec
from kgen.writer import plan_actions, write_files

EXAMPLES_SPEC = EXAMPLES / "examples.toml"

MISTAKES = {
    # The class-style loss that averages over the batch, the metric keeping its state in a
    # Python attribute, the unseeded initializer and the train_step without scale_loss are
    # in kgen check's corpus (tests/end_to_end/hand_written), caught by the same tests.
    # A layer whose weight is made in float16: mixed precision wants float32 variables.
    ("layer", "HalfWeights"): (
        {
            "build": 'self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", dtype="float16", name="scale")',
            "call": "return inputs * ops.cast(self.scale, inputs.dtype)",
        },
        "test_runs_in_mixed_precision",
    ),
    # A function-style loss that averages over the batch itself.
    ("loss", "reducing_fn"): (
        {"function": "return ops.mean(ops.square(y_true - y_pred))"},
        "test_returns_one_loss_per_sample",
    ),
    # The guide's metric loop: the loss compute_loss divided among the devices, reported
    # as it is, so that training on two devices logs half the loss.
    ("model", "HalvedLoss"): (
        {"train_step": """
x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
with tf.GradientTape() as tape:
    y_pred = self(x, training=True)
    loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
    scaled_loss = self.optimizer.scale_loss(loss)
gradients = tape.gradient(scaled_loss, self.trainable_variables)
self.optimizer.apply(gradients, self.trainable_variables)
for metric in self.metrics:
    if metric.name == "loss":
        metric.update_state(loss)
    else:
        metric.update_state(y, y_pred, sample_weight=sample_weight)
return self.get_metrics_result()
"""},
        "test_trains_on_two_devices",
    ),
    # An optimizer whose slots are tf.Variables: not tracked, so not saved with the model.
    ("optimizer", "UntrackedSlots"): (
        {"build": """
if self.built:
    return
super().build(variables)
self.velocities = [tf.Variable(tf.zeros(v.shape, v.dtype)) for v in variables]
"""},
        "test_saved_model_loads_with_the_optimizer_and_its_state",
    ),
    # An update_step with a learning rate of its own, ignoring the one it is given.
    ("optimizer", "FixedStep"): (
        {"update_step": "self.assign_sub(variable, 0.01 * gradient)"},
        "test_a_zero_learning_rate_changes_nothing",
    ),
    # A callback that keeps its settings in `params`, which fit overwrites.
    ("callback", "OwnParams"): (
        {"init": 'self.params = {"patience": 3}'},
        "test_leaves_keras_own_attributes_alone",
    ),
}

# Mistakes made by editing the generated module: (kind, name) -> (params, style, the text
# replaced and its replacement, the test meant to catch it).
EDITS = {
    # A callback whose get_config drops a param: rebuilt from its config, it loses it.
    ("callback", "ForgetfulStop"): (
        ["patience:int=3", "monitor:str=loss"],
        "class",
        ('"patience": self.patience, ', ""),
        "test_get_config_round_trip",
    ),
    # A model built as Name(inputs, outputs) whose get_config drops its param: loading
    # would rebuild the graph but not the hyperparameter.
    ("model", "ForgetfulGraph"): (
        ["clip=1.0"],
        "functional",
        ('config.update({"clip": self.clip})', ""),
        "test_get_config_round_trip",
    ),
}


@pytest.mark.heavy
def test_each_mistake_fails_the_test_meant_for_it(tmp_path):
    for (kind, name), (bodies, _) in MISTAKES.items():
        style = "function" if "function" in bodies else "class"
        spec = make_spec(kind, name, bodies=bodies, style=style)
        files = plan(spec, Target(out=tmp_path))
        write_files(files, plan_actions(files))
    for (kind, name), (params, style, (old, new), _) in EDITS.items():
        spec = make_spec(kind, name, params, style=style)
        files = plan(spec, Target(out=tmp_path))
        write_files(files, plan_actions(files))
        module = tmp_path / spec.names.module_file
        assert old in module.read_text()
        module.write_text(module.read_text().replace(old, new))
    expected = {
        (derive_names(name).test_module, test)
        for (_, name), (*_, test) in (*MISTAKES.items(), *EDITS.items())
    }
    # Only the test meant for each mistake, in its module: those are the claim, and the
    # rest is slow (a two-device check starts a process).
    meant = " or ".join(
        f"({module.removeprefix('test_')} and {test})"
        for module, test in sorted(expected)
    )
    # HalvedLoss's fresh-process check runs its two-device check in the same process:
    # the failure must still be reported by the test meant for it.
    meant += " or (halved_loss and fresh_process)"
    result = run_pytest(tmp_path, "-rf", "-k", meant, heavy=True)
    assert result.returncode == 1
    failed = set(re.findall(r"FAILED (\w+)\.py::(\w+)", result.stdout))
    assert expected <= failed, result.stdout[-3000:]
    assert ("test_halved_loss", "test_loads_in_a_fresh_process") not in failed


# Mistakes users make porting the examples that hold Keras objects, each made in the
# example as kgen builds it: example -> (the edit to the module's code, the test meant
# to catch it).
EXAMPLE_EDITS = {
    # A nested layer stored raw in the config: no longer JSON, not rebuilt on loading.
    "WeightNormalization": (
        (
            '"layer": keras.saving.serialize_keras_object(self.layer)',
            '"layer": self.layer',
        ),
        "test_get_config_round_trip",
    ),
    # A from_config that rebuilds the nested models in the caller's own dict.
    "VAE": (
        ("        config = copy.deepcopy(config)\n", ""),
        "test_get_config_round_trip",
    ),
    # A metric fed the loss, not the gradients (y_pred) whose norm it reports.
    "GradientNorm": (
        (
            "self.norm.assign(ops.sqrt(squared) / size)",
            "self.norm.assign(ops.mean(ops.square(y_true - y_pred[0])))",
        ),
        "test_computes_the_reference_math",
    ),
    # Adagrad without the square root of its accumulator: it still lowers the loss, and a
    # zero learning rate still changes nothing; only its reference math shows it.
    "SimpleAdagrad": (
        (
            "gradient / ops.sqrt(accumulator + self.epsilon)",
            "gradient / (accumulator + self.epsilon)",
        ),
        "test_computes_the_reference_math",
    ),
    # A plateau that counts min_delta the wrong way: with min_delta > 0, a loss that
    # barely moves is taken for an improvement, and training never stops.
    "PlateauStopping": (
        (
            "if current < self.best - self.min_delta:",
            "if current < self.best + self.min_delta:",
        ),
        "test_computes_the_reference_math",
    ),
}
# A wrapper whose default build no longer builds the layer it wraps: the layer builds at
# its first call. (Loading still works in Keras 3.15: a layer held in the config comes
# back built from its own build config; a sublayer made in __init__ would not.)
WRAPPER_EDIT = (
    "        if not self.inner.built:\n            self.inner.build(input_shape)\n",
    "        pass\n",
)


def example_spec(table):
    """A component of generated_examples/examples.toml, as `kgen build` reads it."""
    keys = ("bodies", "reference", "extra", "signatures", "imports", "base_defaults")
    return make_spec(
        table["kind"],
        table["name"],
        table.get("params", []),
        style=table.get("style"),
        test=table.get("test"),
        **{key: table[key] for key in keys if key in table},
    )


@pytest.mark.heavy
def test_each_porting_mistake_fails_the_test_meant_for_it(tmp_path):
    tables = {
        table["name"]: table
        for table in tomllib.loads(EXAMPLES_SPEC.read_text(encoding="utf-8"))[
            "component"
        ]
    }
    wanted = {"Sampling", *EXAMPLE_EDITS}  # the VAE's encoder holds a Sampling layer
    specs = [example_spec(tables[name]) for name in sorted(wanted)]
    specs.append(make_spec("layer", "Wrap", ["inner:layer"]))
    siblings = frozenset(spec.names.module for spec in specs)
    for spec in specs:
        files = plan(spec, Target(out=tmp_path, siblings=siblings))
        write_files(files, plan_actions(files))
    edits = {**EXAMPLE_EDITS, "Wrap": (WRAPPER_EDIT, "test_build_makes_every_weight")}
    for name, ((old, new), _) in edits.items():
        module = tmp_path / derive_names(name).module_file
        assert old in module.read_text(), name
        module.write_text(module.read_text().replace(old, new))
    meant = " or ".join(sorted({test for _, test in edits.values()}))
    result = run_pytest(tmp_path, "-rf", "-k", meant)
    failed = set(re.findall(r"FAILED (\w+)\.py::(\w+)", result.stdout))
    for name, (_, test) in edits.items():
        module = derive_names(name).test_module
        assert any(
            found == module and failed_test.startswith(test)
            for found, failed_test in failed
        ), (name, result.stdout[-3000:])
    # The same tests of the unedited Sampling pass: the failures are the edits'.
    assert not any(found == "test_sampling" for found, _ in failed)
