# kgen updates this file while it is unedited (digest befb2af492fd41c6).
"""The heavy checks of the tests kgen generates, and a helper they share, written once
per test folder.

Each test module passes its own `build_model` and `make_data` (and its component) to these
functions: they prove that the component holds up where real training happens. kgen writes
this file beside conftest.py and never overwrites it once it is there.
"""

import contextlib
import inspect
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path

import keras
import numpy as np
import pytest

# The backend these tests run on: a new process runs on it too.
BACKEND = keras.backend.backend()

# How a new process starts: with two CPU devices, and importing no backend but its own
# (TensorFlow imported before Keras can crash a torch process). JAX takes its two host
# devices from XLA_FLAGS (run_python sets it); TensorFlow splits its CPU in two, which it
# does only before its first use.
START = """
import os

if os.environ["KERAS_BACKEND"] == "tensorflow":
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2
    )
"""


def run_python(script, *args):
    """Run `script` in a new Python process on this one's backend (after START); fail with
    its return code or the signal that killed it, and its error output, if it fails."""
    env = {"TF_CPP_MIN_LOG_LEVEL": "2", **os.environ, "KERAS_BACKEND": BACKEND}
    if BACKEND == "jax":
        flags = env.get("XLA_FLAGS", "")
        env["XLA_FLAGS"] = f"{flags} --xla_force_host_platform_device_count=2".strip()
    result = subprocess.run(
        [sys.executable, "-c", START + script, *map(str, args)],
        check=False,  # the assert below shows what went wrong
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert result.returncode == 0, (
        f"the new Python process ({BACKEND}) {_ending(result.returncode)}:\n"
        f"{result.stderr[-3000:]}"
    )


def _ending(returncode):
    """How a process ended, from its return code: negative is the signal that killed it."""
    if returncode >= 0:
        return f"exited with return code {returncode}"
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        name = f"signal {-returncode}"
    return f"was killed by {name} (return code {returncode})"


def _has_float64():
    """Whether the backend makes float64 tensors when asked: JAX gives float32 unless
    jax_enable_x64 is set."""
    with warnings.catch_warnings():  # JAX warns that it gives float32
        warnings.simplefilter("ignore")
        made = keras.ops.zeros((), dtype="float64").dtype
    return keras.backend.standardize_dtype(made) == "float64"


# float64 as a test parameter, skipped where the backend has 64-bit floats off (as JAX has
# by default: Keras's own initializers give float32 there too).
FLOAT64 = pytest.param(
    "float64",
    marks=pytest.mark.skipif(
        not _has_float64(),
        reason=f"float64: {BACKEND} gives float32 (on JAX, JAX_ENABLE_X64=1 gives float64)",
    ),
)


def numpy_weights(layer):
    """A layer's weights as numpy arrays, by name, in the order of `layer.weights`; a
    name met again (two sublayers' "kernel") becomes "kernel_1", then "kernel_2"..."""
    weights = {}
    for weight in layer.weights:
        name, count = weight.name, 1
        while name in weights:
            name, count = f"{weight.name}_{count}", count + 1
        weights[name] = keras.ops.convert_to_numpy(weight)
    return weights


def assert_reference(result, reference, inputs, args, test_values):
    """`result` against reference(*inputs, **args), its numpy math. When they differ, a
    param the result does not follow is named: one whose other value in the tests (its
    test value in `test_values`, or its default) makes reference() give the result, as
    when the math ignores it or hard-codes that value."""
    __tracebackhide__ = True  # pytest shows the test's line, not this one
    try:
        expected = reference(*inputs, **args)
        np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-6)
    except AssertionError as mismatch:
        unused = [
            (name, value)
            for name, value in _other_values(reference, args, test_values)
            if _gives(reference, inputs, {**args, name: value}, result)
        ]
        if not unused:
            raise
        # Several: their values may make up one product (2 * 0.25 == 1 * 0.5).
        names = " or ".join(name for name, _ in unused)
        instead = ", and with ".join(f"{name}={value!r}" for name, value in unused)
        raise AssertionError(
            f"{names} changes nothing in the result: it is what reference() gives with "
            f"{instead}. Does the math use {'each' if len(unused) > 1 else names}?"
            f"\n{mismatch}"
        ) from None


def _other_values(reference, args, test_values):
    """Each param's value in the tests' other run: its test value in the run with the
    defaults, its default (reference()'s) in the run with the test values."""
    defaults = {
        name: each.default
        for name, each in inspect.signature(reference).parameters.items()
        if each.default is not inspect.Parameter.empty
    }
    for name, test_value in test_values.items():
        if name not in args:
            yield name, test_value
        elif name in defaults:
            yield name, defaults[name]


def _gives(reference, inputs, args, result):
    """Whether reference(*inputs, **args) computes `result` (not if it cannot)."""
    try:
        expected = np.asarray(reference(*inputs, **args))
    except (ArithmeticError, LookupError, TypeError, ValueError):
        return False
    result = np.asarray(result)
    return expected.shape == result.shape and np.allclose(
        result, expected, rtol=1e-5, atol=1e-6
    )


# What a serving process does: import the component's module, nothing else, then load.
# Then, since a backend takes a while to start, the same process (started with two
# devices) runs the test module's two-device check, if it has one.
LOAD_AND_PREDICT = """
import importlib
import sys
import traceback
from pathlib import Path

import keras
import numpy as np

folder, module_root, module_name, here, tests_root, tests_name = sys.argv[1:]
sys.path.insert(0, module_root)
importlib.import_module(module_name)
model = keras.saving.load_model(f"{folder}/model.keras")
inputs = np.load(f"{folder}/x.npz")  # arr_0, arr_1, ...: one per model input
x = [inputs[f"arr_{i}"] for i in range(len(inputs.files))]
x = x[0] if len(x) == 1 else x
np.save(f"{folder}/predicted.npy", model.predict(x, verbose=0))

sys.path[:0] = [here, tests_root]
harness = importlib.import_module("kgen_harness")
harness.ON_TWO_DEVICES = True
check = getattr(importlib.import_module(tests_name), "test_trains_on_two_devices", None)
if check is not None and harness.NO_TWO_DEVICES is None:
    try:
        check()
        outcome = ""
    except Exception:
        outcome = traceback.format_exc()
    Path(folder, "two_devices.txt").write_text(outcome or "passed")
"""

# True in a process started with two devices; the outcome of each test module's two-device
# check that its fresh process ran, by test file, for test_trains_on_two_devices to report.
ON_TWO_DEVICES = False
TWO_DEVICE_OUTCOMES = {}


def loads_in_a_fresh_process(component, build_model, make_data, folder):
    """A saved model predicts the same in a process that imports only `component`'s module."""
    x, y = make_data()
    model = build_model()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    model.save(folder / "model.keras")
    np.savez(folder / "x.npz", *(x if isinstance(x, list) else [x]))
    module_root, module_name = _location(component.__module__)
    tests_root, tests_name = _location(build_model.__module__)
    here = Path(__file__).resolve().parent
    run_python(
        LOAD_AND_PREDICT, folder, module_root, module_name, here, tests_root, tests_name
    )
    np.testing.assert_allclose(
        np.load(folder / "predicted.npy"),
        model.predict(x, verbose=0),
        rtol=1e-5,
        atol=1e-6,
    )
    outcome = folder / "two_devices.txt"
    if outcome.is_file():
        TWO_DEVICE_OUTCOMES[sys.modules[tests_name].__file__] = outcome.read_text()


def _location(module_name):
    """The folder to put on sys.path for `module_name`, and the name."""
    module_file = Path(sys.modules[module_name].__file__).resolve()
    return module_file.parents[module_name.count(".")], module_name


def trains_the_same_with_xla(build_model, make_data, stochastic=False):
    """XLA compiles the training step (jit_compile=True: XLA on TensorFlow and JAX,
    torch.compile on torch): the weights it reaches are those of eager runs.
    A component random in training draws differently under XLA: both train, and XLA's
    compiled predict is compared with the eager one on the same weights."""
    x, y = make_data()
    eager = build_model(jit_compile=False)
    xla = build_model(jit_compile=True)
    for model in (eager, xla):
        history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        assert all(np.all(np.isfinite(v)) for v in history.history.values())
    if stochastic:
        xla.set_weights(eager.get_weights())
    np.testing.assert_allclose(
        xla.predict(x, verbose=0), eager.predict(x, verbose=0), rtol=1e-4, atol=1e-5
    )


# Two devices are made only before the backend's first use: a new process.
TWO_DEVICES_SCRIPT = """
import importlib
import sys

here, tests, module_name, *traits = sys.argv[1:]
sys.path[:0] = [here, tests]
tests = importlib.import_module(module_name)
importlib.import_module("kgen_harness").train_on_two_devices(
    tests.build_model, tests.make_data, *(trait == "True" for trait in traits)
)
"""


# Why this backend has no two-device check (None: it has one). Keras's data parallelism,
# keras.distribution, has no torch implementation, and fit trains a torch model on one
# device.
NO_TWO_DEVICES = {
    "torch": "two devices: keras.distribution (data parallelism) has no torch backend",
}.get(BACKEND)


def trains_on_two_devices(
    test_file, stochastic=False, per_batch=False, batch_metrics=False
):
    """Runs `train_on_two_devices` on the test module's model, in a process started with
    two devices."""
    if NO_TWO_DEVICES is not None:
        pytest.skip(NO_TWO_DEVICES)
    traits = (stochastic, per_batch, batch_metrics)
    if ON_TWO_DEVICES:  # run by a fresh-process check: in this process
        tests = next(
            module
            for module in list(sys.modules.values())
            if getattr(module, "__file__", None) == test_file
        )
        train_on_two_devices(tests.build_model, tests.make_data, *traits)
        return
    outcome = TWO_DEVICE_OUTCOMES.pop(test_file, None)
    if outcome is not None:  # the module's fresh-process check ran it
        assert outcome == "passed", outcome[-3000:]
        return
    test_file = Path(test_file).resolve()
    here = Path(__file__).resolve().parent
    run_python(TWO_DEVICES_SCRIPT, here, test_file.parent, test_file.stem, *traits)


@contextlib.contextmanager
def on_two_devices():
    """Models built and trained inside take each batch in two parts, one per device, in a
    process started with two devices (run_python): tf.distribute.MirroredStrategy on
    TensorFlow, keras.distribution.DataParallel on JAX."""
    if BACKEND == "tensorflow":
        import tensorflow as tf  # tf.distribute: TensorFlow's own data parallelism

        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
        assert strategy.num_replicas_in_sync == 2
        with strategy.scope():
            yield
        return
    if NO_TWO_DEVICES is not None:
        pytest.skip(NO_TWO_DEVICES)
    devices = keras.distribution.list_devices("cpu")
    assert len(devices) == 2, f"two devices, not {devices}: started by run_python?"
    keras.distribution.set_distribution(
        keras.distribution.DataParallel(devices=devices)
    )
    try:
        yield
    finally:
        keras.distribution.set_distribution(None)


def assert_on_two_devices(model):
    """The model's variables are held by both devices: it trains on two, not on one."""
    if BACKEND == "tensorflow":
        assert model.distribute_strategy.num_replicas_in_sync == 2
        return
    for variable in model.variables:
        devices = variable.value.sharding.device_set  # a jax.Array's devices
        assert len(devices) == 2, (
            f"{variable.path} is on {len(devices)} device(s), not 2: the model was not "
            "distributed (keras.distribution.set_distribution before it is built)"
        )


def split_among(loss, devices):
    """`loss` as tf.distribute computes it when each device takes its part of the batch:
    the mean of the parts' losses."""

    def per_device(y_true, y_pred):
        parts = zip(keras.ops.split(y_true, devices), keras.ops.split(y_pred, devices))
        return sum(loss(true, pred) for true, pred in parts) / devices

    return per_device


def train_on_two_devices(
    build_model, make_data, stochastic=False, per_batch=False, batch_metrics=False
):
    """Each batch of 8 split over two devices, their gradients summed: the training, what
    it reports (a loss left divided among the devices shows here), the weights it reaches
    and then the evaluation (metric states summed over the devices) must be what one
    device gives on the whole batch."""
    if BACKEND != "tensorflow":
        # tf.distribute runs the step once per device, on its part of the batch: a loss or
        # metric of the batch as a whole is each part's. JAX's DataParallel compiles one
        # program for the whole batch, sharded over the devices: it is the whole batch's.
        per_batch = batch_metrics = False
    x, y = make_data()
    single = build_model()
    if per_batch:  # a loss of the whole batch: one device computes it part by part too
        single.compile(optimizer="sgd", loss=split_among(single.loss, 2))
    expected_history, expected = _fit_and_evaluate(single, x, y, stochastic)
    with on_two_devices():
        model = build_model()
        # Each device draws its own randomness: compared at inference, on one's weights.
        weights = single.get_weights() if stochastic else None
        history, outcome = _fit_and_evaluate(model, x, y, stochastic, weights)
        assert_on_two_devices(model)
    if stochastic:  # evaluate may draw too (a GAN's latent vectors): inference outputs
        np.testing.assert_allclose(outcome, expected, rtol=1e-4)
        return
    # A metric of each batch as a whole (batch_metrics) is each device's own part's: only
    # the loss is compared.
    _assert_same(history, expected_history, single, batch_metrics)
    weights = zip(single.get_weights(), model.get_weights(), strict=True)
    for wanted, actual in weights:
        np.testing.assert_allclose(actual, wanted, rtol=1e-4, atol=1e-6)
    _assert_same(outcome, expected, single, batch_metrics)


def _fit_and_evaluate(model, x, y, stochastic, weights=None):
    """The model's history of two epochs, and its evaluation; for a stochastic model,
    its predictions (with `weights`, if given) instead."""
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history
    assert all(np.all(np.isfinite(v)) for v in history.values()), history
    if not stochastic:
        return history, model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    if weights is not None:
        model.set_weights(weights)
    return history, model.predict(x, verbose=0)


def _assert_same(actual, expected, single, batch_metrics):
    """Reported values (a history, an evaluation) against one device's, in the same order:
    a metric named after its class is psnr in one model, psnr_1 in the other."""
    assert len(actual) == len(expected)
    for (key, values), wanted in zip(actual.items(), expected.values(), strict=True):
        if key == "loss" or not batch_metrics:
            np.testing.assert_allclose(
                values, wanted, rtol=1e-4, err_msg=_what_is(key, single)
            )


def _what_is(key, model):
    """A reported value's key, and for the loss, a reduction Keras does not divide among
    devices: each device's losses are added up, so two report twice one's."""
    reduction = getattr(model.loss, "reduction", "sum_over_batch_size")
    if key != "loss" or reduction not in ("none", None):
        return key
    return (
        f"loss: the loss's reduction is {reduction!r}, which Keras does not divide among "
        "devices: each reports the losses of its part of the batch, and they are added "
        "up. Keep the default, reduction='sum_over_batch_size', and ask for "
        f"reduction={reduction!r} where the loss of each sample is wanted"
    )


def layer_runs_in_mixed_precision(build_model, make_data):
    """Under mixed_float16 the layer (the model's first) computes in float16 and keeps
    float32 weights, and the model trains."""
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    try:
        model = build_model()
    finally:
        keras.mixed_precision.set_dtype_policy("float32")
    layer = next(
        each for each in model.layers if not isinstance(each, keras.layers.InputLayer)
    )
    x, y = make_data()
    outputs = layer(x)
    assert keras.backend.standardize_dtype(outputs.dtype) == "float16"
    for weight in layer.weights:
        if "float" in weight.dtype:
            assert weight.dtype == "float32", weight.path
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert all(np.all(np.isfinite(v)) for v in history.history.values())


def train_step_scales_the_loss(build_model, make_data):
    """A LossScaleOptimizer divides the gradients by its loss scale: unless train_step
    multiplied the loss by it (optimizer.scale_loss), the updates come out far too small.
    """
    x, y = make_data()
    plain = build_model()
    scaled = build_model(
        optimizer=keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD())
    )
    for model in (plain, scaled):
        model.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0)
    for expected, actual in zip(plain.get_weights(), scaled.get_weights(), strict=True):
        np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-6)


def model_trains_in_mixed_precision(build_model, make_data):
    """Compiled under mixed_float16, the model gets a LossScaleOptimizer and still trains."""
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    try:
        model = build_model()
    finally:
        keras.mixed_precision.set_dtype_policy("float32")
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    x, y = make_data()
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert all(np.all(np.isfinite(v)) for v in history.history.values())
