# kgen updates this file while it is unedited (digest 968818b5004f52c6).
"""pytest setup for the tests kgen generates: the `heavy` marker, and what a failed test
proves.

Heavy tests (a fresh process, XLA, two devices, mixed precision) take longer, so they are
skipped unless asked for: `KGEN_HEAVY=1 pytest` runs every test, `pytest -m heavy` runs
the heavy ones alone. A failed contract test's report ends with what it proves, where to
look, and the usual mistake there.
"""

import functools
import inspect
import os

import pytest

# What each contract test proves and where to look when it fails.
CONTRACTS = {
    "test_get_config_round_trip": "get_config must hold every constructor argument as given, and from_config rebuild the same. Look at __init__ and get_config. The usual mistake: leaving a constructor argument out of get_config; then none at once: the object rebuilt from its config (a loaded model's) silently takes that argument's default.",
    "test_serializes_by_its_registered_name": "Keras must find the component by its registered name, through JSON. Look at the register_keras_serializable line. The usual mistake: leaving the decorator out (or not importing the module before loading); then load_model fails: 'Could not locate class ...'.",
    "test_trains": "A small model using it must train on the profile's data: finite losses and metrics, weights that change. Look at the math: a NaN, an op without a gradient, a dtype or shape the data does not fit (the test profile declares the data).",
    "test_saved_model_loads_without_custom_objects": "A model saved to .keras must load without custom_objects and predict the same. Look at the registration, get_config and build. The usual mistake: leaving the decorator out (or not importing the module before loading); then load_model fails: 'Could not locate class ...'.",
    "test_computes_the_reference_math": "The component must compute what reference() computes in numpy on the same inputs. Look at the body and reference(): edit the two together.",
    "test_computes_the_reference_math_in_training": "Called with training=True, the component must compute what reference(..., training=True) computes, its random draws seeded alike. Look at call's training path and reference(): edit the two together.",
    "test_honours_reduction_and_sample_weight": "call must return one loss per sample, which the base class weighs and reduces. Look at call: no mean over the batch (a loss of the whole batch: --per-batch). The usual mistake: averaging over the batch inside call; then none, silently: reduction='none' gives a single value, not one per sample.",
    "test_returns_one_loss_per_sample": "The function must return one loss per sample. Look at the function: no mean over the batch. The usual mistake: averaging over the batch inside call; then none, silently: reduction='none' gives a single value, not one per sample.",
    "test_returns_the_batch_loss_for_each_sample": "A loss of the whole batch must still come once per sample, for Keras to divide it among devices. Look at call: return ops.broadcast_to(loss, ops.shape(y_true)[:1]), not the scalar.",
    "test_accumulates_over_updates_and_resets": "Updates must accumulate, and reset_state start afresh. Look at update_state (assign_add to the state) and reset_state, singular: the name Keras 3 calls.",
    "test_a_zero_sample_weight_leaves_the_sample_out": "A sample of weight 0 must count for nothing. Look at update_state's use of sample_weight.",
    "test_is_finite_on_the_test_data": "The metric's result must be finite on the profile's data. Look at update_state and result: a 0 / 0 or the log of 0 (or data that does not fit: the test profile declares it).",
    "test_state_is_kept_in_variables": "The metric's state must be in its variables, which tf.distribute sums. Look at __init__ (add_variable) and update_state. The usual mistake: keeping the state in a Python attribute (self.total = 0.0); then fit fails: 'is out of scope and cannot be used here' (the compiled step leaks a tensor), and no variable holds the state to save or sum.",
    "test_output_shape_matches_compute_output_shape": "compute_output_shape must announce the shape call returns. Look at compute_output_shape.",
    "test_build_makes_every_weight": "build must make every weight, sublayers' included: the first call may add none. Look at build: every sublayer built there, every add_weight there. The usual mistake: making weights outside build: in __init__, from a guessed input size, or at the first call, in a sublayer left unbuilt; then a model whose inputs are of another size fails: 'Could not automatically infer the output shape'.",
    "test_resets_with_the_method_keras_calls": "The reset must be in reset_state, the method Keras 3 calls. Look at reset_states (plural): Keras 2's name, never called. The usual mistake: overriding reset_states (plural), the Keras 2 name; then none, silently: Keras 3 never calls it; its own reset_state sets every variable to zero instead, whatever the metric's reset said.",
    "test_without_a_seed_every_call_still_gives_the_same_values": "Without a seed, every call must still give the same values, as Keras's own initializers do. Look at __init__ (draw a seed once) and __call__ (pass it to keras.random). The usual mistake: drawing new random values on every call; then none, silently: each call, and each model built, starts from other weights.",
    "test_a_seed_gives_the_same_values_every_time": "With a seed, every call and every copy from its config must give the same values. Look at the seed's way from __init__ through get_config to __call__. The usual mistake: drawing new random values on every call; then none, silently: each call, and each model built, starts from other weights.",
    "test_returns_the_asked_shape_and_dtype": "The values must have the shape and dtype asked for. Look at __call__'s use of shape and dtype.",
    "test_returns_a_finite_scalar": "The penalty must be one finite number. Look at __call__: a sum or mean over the weights.",
    "test_adds_its_penalty_to_the_model_losses": "A layer regularized with it must add its penalty to the model's losses. Look at __call__.",
    "test_keeps_the_shape_and_is_idempotent": "The projection must keep the weights' shape and change nothing the second time. Look at __call__.",
    "test_keeps_the_shape_eagerly_and_symbolically": "The activation must keep the input's shape, on tensors and on keras.Input. Look at the function: element-wise keras.ops only.",
    "test_a_saved_model_keeps_the_name_not_the_hyperparameters": "A saved model must keep the function's registered name. Look at the registration. The usual mistake: expecting a saved model to remember the hyperparameters of the closure; then none: the loaded model uses whichever function is registered under the name.",
    "test_resets": "reset_state must bring the metric back to a fresh one's state. Look at reset_state, singular: the name Keras 3 calls.",
    "test_config_is_plain_json": "get_config must return plain JSON: Keras objects serialized. Look at get_config. The usual mistake: writing the object itself into the config (self.activation); then get_config() is no longer JSON: 'Object of type function is not JSON serializable' (saving still works: Keras serializes it on the way).",
    "test_is_the_same_at_inference": "Random in training only: with training=False, two calls must agree. Look at call: draw only when training is true.",
    "test_draws_in_training": "Random in training: a call with training=True must differ from inference. Look at call: draw when training is true (a flag that never reaches call, a rate of 0).",
    "test_evaluate_runs_its_test_step": "evaluate must run the model's test_step and report the compiled metrics. Look at test_step.",
    "test_loads_in_a_fresh_process": "A saved model must load, and predict the same, in a process that imports only the component's module. Look at the registration: the module must register what the model names. The usual mistake: leaving the decorator out (or not importing the module before loading); then load_model fails: 'Could not locate class ...'.",
    "test_trains_the_same_with_xla": "Training compiled with XLA must reach what eager training reaches. Look at Python-side state or randomness in the math (a random component: --stochastic).",
    "test_trains_on_two_devices": "Training on two devices must match one device: history, weights, evaluation. Look at state outside variables, a loss not divided among the devices (a loss of the whole batch returned as a scalar: broadcast it to one value per sample), a loss metric updated with the divided loss, a loss whose reduction is none (each device's losses are added up).",
    "test_runs_in_mixed_precision": "Under mixed_float16 the layer must compute in float16 with float32 weights, and train. Look at build (add_weight without a dtype) and call (no hard-coded float32).",
    "test_train_step_scales_the_loss_for_mixed_precision": "train_step must scale the loss for a LossScaleOptimizer. Look at train_step: optimizer.scale_loss before the gradients. The usual mistake: taking the gradients of the unscaled loss; then none, silently: under mixed precision the updates come out far too small.",
    "test_trains_in_mixed_precision": "The model must train under mixed_float16. Look at train_step and call (no hard-coded float32). The usual mistake: taking the gradients of the unscaled loss; then none, silently: under mixed precision the updates come out far too small.",
}
# Said when a test fails with the test values (ARGS) after passing with the defaults.
SAMPLES = (
    "It passed with the defaults: is each test value in ARGS valid for the component? "
    "Give your own with --sample NAME=VALUE (or samples in [component.test])."
)
# How kgen_harness.run_python reports a new process that a signal killed.
CRASHED = ") was killed by SIG"
CRASHED_TEXT = (
    "Nothing yet: the new Python process crashed (a signal killed it, as its return "
    "code says) before the check could finish. Run the test again: a crash that "
    "repeats comes from native code the process loads (the backend's, or an extension's "
    "the component uses), not from a check the component failed."
)
# Each kind of component kgen generates, by its base class: `kgen explain KIND` tells more.
KINDS = {
    "loss": "keras.losses.Loss",
    "layer": "keras.layers.Layer",
    "metric": "keras.metrics.Metric",
    "regularizer": "keras.regularizers.Regularizer",
    "initializer": "keras.initializers.Initializer",
    "constraint": "keras.constraints.Constraint",
    "model": "keras.Model",
    "callback": "keras.callbacks.Callback",
    "optimizer": "keras.optimizers.Optimizer",
}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "heavy: slower checks of a generated component (see conftest.py)"
    )


def pytest_report_header(config):
    import keras

    return f"kgen: Keras {keras.version()} on the {keras.backend.backend()} backend"


def pytest_collection_modifyitems(config, items):
    if os.environ.get("KGEN_HEAVY") == "1" or "heavy" in config.option.markexpr:
        return
    skip = pytest.mark.skip(reason="heavy: run with KGEN_HEAVY=1 or pytest -m heavy")
    for item in items:
        if item.get_closest_marker("heavy"):
            item.add_marker(skip)


# The tests run with the defaults and then with the test values (ARGS): those that passed.
PASSED = set()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    if report.when == "call" and report.passed:
        PASSED.add(item.nodeid)
    contract = CONTRACTS.get(getattr(item, "originalname", item.name))
    if report.failed and contract and hasattr(report.longrepr, "addsection"):
        if CRASHED in report.longreprtext:  # a crash proves nothing of the component
            report.longrepr.addsection("what this test proves", CRASHED_TEXT)
            return
        more = f"More: kgen explain {kind_tested_by(item.module)}"
        defaults = item.nodeid.replace("[samples]", "[defaults]")
        # Unless the failure names a param the result does not follow: that is the cause.
        unused = "changes nothing in the result" in report.longreprtext
        if defaults in PASSED - {item.nodeid} and not unused:
            more = f"{SAMPLES}\n{more}"
        report.longrepr.addsection("what this test proves", f"{contract}\n{more}")


def kind_tested_by(module):
    """The kind of the component class a test module imports; KIND for a function."""
    import keras

    found = {}
    for value in vars(module).values():
        for name, base in KINDS.items():
            base_class = functools.reduce(getattr, base.split(".")[1:], keras)
            if inspect.isclass(value) and issubclass(value, base_class):
                found[name] = len(base_class.__mro__)  # the most specific base wins
    return max(found, key=found.get) if found else "KIND"
