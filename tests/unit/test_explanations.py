"""The notes behind `--explain` and `kgen explain`: each is used, and each claim about a
mistake is what the installed Keras really does."""

import json
import re
import zipfile

import keras
import numpy as np
import pytest
import tensorflow as tf

from kgen.backends import BACKENDS
from kgen.explanations import NOTES, steps
from kgen.generate import module_source
from kgen.kinds import KINDS
from kgen.spec import make_spec

OBJECT_PARAMS = ["act:activation=relu", "init_fn:initializer=ones", "rate=0.5"]


def every_module(explain):
    for kind in KINDS.values():
        for style in kind.styles:
            nested = ["layer:layer"] if kind.nests and style == "class" else []
            for params in ([], OBJECT_PARAMS, nested):
                for backend in BACKENDS if kind.per_backend else ("tensorflow",):
                    spec = make_spec(
                        kind.name,
                        "Sample",
                        params,
                        style=style,
                        explain=explain,
                        backend=backend,
                    )
                    yield module_source(spec)


def comment_text(source):
    """The module's comments, joined into one line of words."""
    return " ".join(
        " ".join(
            line.strip()[2:] for line in re.findall(r"^\s*# .*$", source, re.MULTILINE)
        ).split()
    )


def opening(note):
    return " ".join(note.text.split()[:8])


def test_every_note_appears_in_some_explained_module():
    comments = " ".join(comment_text(source) for source in every_module(explain=True))
    missing = [key for key, note in NOTES.items() if opening(note) not in comments]
    assert missing == []


def test_lean_modules_carry_no_note_and_no_marker():
    for source in every_module(explain=False):
        assert "kgen-explain" not in source
        comments = comment_text(source)
        assert [k for k, n in NOTES.items() if opening(n) in comments] == []


def test_every_walkthrough_step_names_known_notes_and_covers_each_style():
    for kind in KINDS.values():
        assert kind.walkthrough, kind.name
        for style in kind.styles:
            for backend in BACKENDS:
                for step in steps(kind.name, style, backend):
                    assert set(step.notes) <= set(NOTES)


# Each mistake a note warns about, made on purpose: what Keras does then.
def unregistered_layer_cannot_load(tmp_path):
    class Unregistered(keras.layers.Layer):
        def call(self, inputs):
            return inputs

    model = keras.Sequential([keras.Input(shape=(2,)), Unregistered()])
    model.save(tmp_path / "model.keras")
    with pytest.raises(TypeError) as error:
        keras.saving.load_model(tmp_path / "model.keras")
    return str(error.value)


def layer_without_kwargs_cannot_load(tmp_path):
    class NoKwargs(keras.layers.Layer):
        def __init__(self, units=2):
            super().__init__()
            self.units = units

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    with pytest.raises(TypeError) as error:
        NoKwargs.from_config(NoKwargs(3).get_config())
    return str(error.value)


def argument_left_out_of_get_config_comes_back_as_its_default(tmp_path):
    class Scaled(keras.losses.Loss):  # get_config is Loss's: name and reduction
        def __init__(self, scale=1.0, **kwargs):
            super().__init__(**kwargs)
            self.scale = scale

        def call(self, y_true, y_pred):
            return self.scale * keras.ops.square(y_true - y_pred)

    restored = Scaled.from_config(Scaled(scale=3.0).get_config())
    assert restored.scale == 1.0
    return "silently takes that argument's default"


def base_regularizer_has_no_config(tmp_path):
    with pytest.raises(NotImplementedError) as error:
        keras.regularizers.Regularizer().get_config()
    return str(error.value)


def reset_states_is_never_called(tmp_path):
    calls = []

    class OldStyle(keras.metrics.MeanAbsoluteError):
        def reset_states(self):
            calls.append(1)

    metric = OldStyle()
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    model.compile(loss="mse", metrics=[metric])
    model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=2, verbose=0)
    model.evaluate(np.ones((4, 2)), np.ones((4, 1)), verbose=0)
    assert calls == []

    class StartsAtOne(keras.metrics.Metric):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.low = self.add_variable(shape=(), initializer="ones", name="low")

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.low.assign(keras.ops.minimum(self.low, keras.ops.min(y_pred)))

        def result(self):
            return self.low

        def reset_states(self):
            self.low.assign(1.0)

    low = StartsAtOne()
    low.reset_state()
    assert float(low.result()) == 0.0  # not 1.0, as its reset_states says
    return "Keras 3 never calls it; its own reset_state sets every variable to zero"


def weights_made_in_init_from_a_guessed_size(tmp_path):
    class Guessed(keras.layers.Layer):
        def __init__(self, units=2, **kwargs):
            super().__init__(**kwargs)
            self.kernel = self.add_weight(shape=(32, units))  # 32 inputs, guessed

        def call(self, inputs):
            return keras.ops.matmul(inputs, self.kernel)

    with pytest.raises(ValueError) as error:
        keras.Sequential([keras.Input(shape=(4,)), Guessed()])
    return str(error.value)


def raw_object_in_config_is_not_json(tmp_path):
    class Raw(keras.layers.Layer):
        def __init__(self, activation=None, **kwargs):
            super().__init__(**kwargs)
            self.activation = keras.activations.get(activation)

        def get_config(self):
            return {**super().get_config(), "activation": self.activation}

    with pytest.raises(TypeError) as error:
        json.dumps(Raw("tanh").get_config())
    return str(error.value)


def metric_state_in_a_python_attribute(tmp_path):
    class Attribute(keras.metrics.Metric):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.total = 0.0

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.total = self.total + keras.ops.sum(keras.ops.abs(y_true - y_pred))

        def result(self):
            return self.total

    assert Attribute().variables == []
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    model.compile(loss="mse", metrics=[Attribute()])
    with pytest.raises(Exception) as error:
        model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=1, verbose=0)
    return str(error.value)


def loss_averaging_in_call_loses_the_samples(tmp_path):
    class Averaging(keras.losses.Loss):
        def call(self, y_true, y_pred):
            return keras.ops.mean(keras.ops.square(y_true - y_pred))

    values = Averaging(reduction="none")(np.zeros((4, 1)), np.ones((4, 1)))
    assert tuple(values.shape) == ()
    return "reduction='none' gives a single value"


def unseeded_initializer_changes_every_call(tmp_path):
    def naive(shape, dtype=None):
        return keras.random.normal(shape, dtype=dtype)

    first, second = (keras.ops.convert_to_numpy(naive((3, 3))) for _ in range(2))
    assert not np.array_equal(first, second)
    return "each call"


def unscaled_gradients_come_out_too_small(tmp_path):
    optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(1.0))
    variable = keras.Variable([1.0])
    optimizer.build([variable])
    optimizer.apply([tf.constant([1.0])], [variable])  # a gradient of an unscaled loss
    step = 1.0 - float(variable.numpy()[0])
    assert 0 < step < 1e-3  # divided by the loss scale, 32768 at first
    return "far too small"


def class_style_model_cannot_be_built_from_a_graph(tmp_path):
    class WithLayers(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = keras.layers.Dense(1)

        def build(self, input_shape):
            self.dense.build(input_shape)

        def call(self, inputs):
            return self.dense(inputs)

    inputs = keras.Input(shape=(4,))
    with pytest.raises(AttributeError) as error:
        WithLayers(inputs=inputs, outputs=keras.layers.Dense(1)(inputs))
    return str(error.value)


def closure_keeps_only_its_name(tmp_path):
    def make_scaled(scale):
        @keras.saving.register_keras_serializable(package="Facts", name="scaled")
        def scaled(y_true, y_pred):
            return scale * keras.ops.mean(keras.ops.square(y_true - y_pred), axis=-1)

        return scaled

    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    model.compile(loss=make_scaled(7.5))
    model.save(tmp_path / "model.keras")
    with zipfile.ZipFile(tmp_path / "model.keras") as archive:
        config = json.loads(archive.read("config.json"))
    assert config["compile_config"]["loss"]["config"] == "Facts>scaled"
    assert "7.5" not in json.dumps(config)
    return "the hyperparameters closed over are not saved"


def stop_training_on_the_callback_is_ignored(tmp_path):
    class Misplaced(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.stop_training = True

    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    model.compile(loss="mse")
    history = model.fit(
        np.ones((4, 2)), np.ones((4, 1)), epochs=3, callbacks=[Misplaced()], verbose=0
    )
    assert len(history.history["loss"]) == 3
    return "fit runs every epoch"


def callback_without_from_config_cannot_deserialize(tmp_path):
    @keras.saving.register_keras_serializable(package="Facts")
    class NoFromConfig(keras.callbacks.Callback):
        def get_config(self):
            return {}

    payload = keras.saving.serialize_keras_object(NoFromConfig())
    with pytest.raises(TypeError) as error:
        keras.saving.deserialize_keras_object(payload)
    return str(error.value)


def tf_variable_slots_are_not_saved(tmp_path):
    class Untracked(keras.optimizers.Optimizer):
        def build(self, variables):
            if self.built:
                return
            super().build(variables)
            self.slots = [tf.Variable(tf.zeros(v.shape, v.dtype)) for v in variables]

        def update_step(self, gradient, variable, learning_rate):
            slot = self.slots[self._get_variable_index(variable)]
            self.assign(slot, slot + gradient)
            self.assign_sub(variable, learning_rate * slot)

    optimizer = Untracked(learning_rate=0.1)
    variable = keras.Variable([1.0])
    optimizer.apply([tf.constant([1.0])], [variable])
    assert len(optimizer.variables) == 2  # iterations and learning rate: no slot
    return "the slot is not saved"


def a_constant_learning_rate_ignores_the_optimizer_s(tmp_path):
    class Constant(keras.optimizers.Optimizer):
        def update_step(self, gradient, variable, learning_rate):
            self.assign_sub(variable, 0.1 * gradient)

    variable = keras.Variable([1.0])
    Constant(learning_rate=0.0).apply([tf.constant([1.0])], [variable])
    assert float(variable.numpy()[0]) != 1.0
    return "the optimizer's learning rate, and any schedule, is ignored"


CHECKS = {
    "register": (unregistered_layer_cannot_load, "Could not locate class"),
    "kwargs": (layer_without_kwargs_cannot_load, "Error when deserializing class"),
    "get_config": (
        argument_left_out_of_get_config_comes_back_as_its_default,
        "silently takes that argument's default",
    ),
    "regularizer_config": (
        base_regularizer_has_no_config,
        "does not implement get_config()",
    ),
    "reset_state": (
        reset_states_is_never_called,
        "Keras 3 never calls it; its own reset_state sets every variable to zero",
    ),
    "build": (
        weights_made_in_init_from_a_guessed_size,
        "Could not automatically infer the output shape",
    ),
    "serialize_objects": (
        raw_object_in_config_is_not_json,
        "Object of type function is not JSON serializable",
    ),
    "metric_state": (
        metric_state_in_a_python_attribute,
        "is out of scope and cannot be used here",
    ),
    "loss_call": (
        loss_averaging_in_call_loses_the_samples,
        "reduction='none' gives a single value",
    ),
    "seed": (unseeded_initializer_changes_every_call, "each call"),
    "scale_loss": (unscaled_gradients_come_out_too_small, "far too small"),
    "model_init": (
        class_style_model_cannot_be_built_from_a_graph,
        "object has no attribute 'dense'",
    ),
    "function_register": (
        closure_keeps_only_its_name,
        "the hyperparameters closed over are not saved",
    ),
    "stop_training": (stop_training_on_the_callback_is_ignored, "fit runs every epoch"),
    "callback_from_config": (
        callback_without_from_config_cannot_deserialize,
        "Unable to reconstruct an instance of",
    ),
    "slots": (tf_variable_slots_are_not_saved, "the slot is not saved"),
    "update_step": (
        a_constant_learning_rate_ignores_the_optimizer_s,
        "the optimizer's learning rate, and any schedule, is ignored",
    ),
}


def test_every_mistake_has_a_check():
    assert set(CHECKS) == {key for key, note in NOTES.items() if note.mistake}


@pytest.mark.parametrize("key", sorted(CHECKS))
def test_what_a_note_says_keras_does_is_what_keras_does(key, tmp_path):
    check, fragment = CHECKS[key]
    observed = check(tmp_path)
    assert fragment in observed
    note = NOTES[key]
    assert fragment.rstrip(".").split(" ...")[0] in note.error + " " + note.text
