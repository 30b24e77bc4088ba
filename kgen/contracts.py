"""What each generated test proves, and where to look when it fails: the generated
conftest.py adds it to the test's failure report, with the usual mistake from the note that
covers it (kgen.explanations) and the `kgen explain KIND` that tells more."""

from dataclasses import dataclass

from kgen.explanations import NOTES


@dataclass(frozen=True)
class Contract:
    proves: str  # a sentence: what must hold
    look_at: str  # the pieces of the component to look at
    note: str | None = (
        None  # the key of the note (kgen.explanations.NOTES) that covers it
    )


CONTRACTS = {
    "test_get_config_round_trip": Contract(
        "get_config must hold every constructor argument as given, and from_config "
        "rebuild the same.",
        "__init__ and get_config",
        "get_config",
    ),
    "test_serializes_by_its_registered_name": Contract(
        "Keras must find the component by its registered name, through JSON.",
        "the register_keras_serializable line",
        "register",
    ),
    "test_trains": Contract(
        "A small model using it must train on the profile's data: finite losses and "
        "metrics, weights that change.",
        "the math: a NaN, an op without a gradient, a dtype or shape the data does not fit "
        "(the test profile declares the data)",
    ),
    "test_saved_model_loads_without_custom_objects": Contract(
        "A model saved to .keras must load without custom_objects and predict the same.",
        "the registration, get_config and build",
        "register",
    ),
    "test_computes_the_reference_math": Contract(
        "The component must compute what reference() computes in numpy on the same "
        "inputs.",
        "the body and reference(): edit the two together",
    ),
    "test_computes_the_reference_math_in_training": Contract(
        "Called with training=True, the component must compute what reference(..., "
        "training=True) computes, its random draws seeded alike.",
        "call's training path and reference(): edit the two together",
    ),
    "test_honours_reduction_and_sample_weight": Contract(
        "call must return one loss per sample, which the base class weighs and reduces.",
        "call: no mean over the batch (a loss of the whole batch: --per-batch)",
        "loss_call",
    ),
    "test_returns_one_loss_per_sample": Contract(
        "The function must return one loss per sample.",
        "the function: no mean over the batch",
        "loss_call",
    ),
    "test_returns_the_batch_loss_for_each_sample": Contract(
        "A loss of the whole batch must still come once per sample, for Keras to divide "
        "it among devices.",
        "call: return ops.broadcast_to(loss, ops.shape(y_true)[:1]), not the scalar",
    ),
    "test_accumulates_over_updates_and_resets": Contract(
        "Updates must accumulate, and reset_state start afresh.",
        "update_state (assign_add to the state) and reset_state, singular: the name "
        "Keras 3 calls",
    ),
    "test_a_zero_sample_weight_leaves_the_sample_out": Contract(
        "A sample of weight 0 must count for nothing.",
        "update_state's use of sample_weight",
        "update_state",
    ),
    "test_is_finite_on_the_test_data": Contract(
        "The metric's result must be finite on the profile's data.",
        "update_state and result: a 0 / 0 or the log of 0 (or data that does not fit: "
        "the test profile declares it)",
    ),
    "test_state_is_kept_in_variables": Contract(
        "The metric's state must be in its variables, which tf.distribute sums.",
        "__init__ (add_variable) and update_state",
        "metric_state",
    ),
    "test_output_shape_matches_compute_output_shape": Contract(
        "compute_output_shape must announce the shape call returns.",
        "compute_output_shape",
        "compute_output_shape",
    ),
    "test_build_makes_every_weight": Contract(
        "build must make every weight, sublayers' included: the first call may add none.",
        "build: every sublayer built there, every add_weight there",
        "build",
    ),
    "test_resets_with_the_method_keras_calls": Contract(
        "The reset must be in reset_state, the method Keras 3 calls.",
        "reset_states (plural): Keras 2's name, never called",
        "reset_state",
    ),
    "test_without_a_seed_every_call_still_gives_the_same_values": Contract(
        "Without a seed, every call must still give the same values, as Keras's own "
        "initializers do.",
        "__init__ (draw a seed once) and __call__ (pass it to keras.random)",
        "seed",
    ),
    "test_a_seed_gives_the_same_values_every_time": Contract(
        "With a seed, every call and every copy from its config must give the same "
        "values.",
        "the seed's way from __init__ through get_config to __call__",
        "seed",
    ),
    "test_returns_the_asked_shape_and_dtype": Contract(
        "The values must have the shape and dtype asked for.",
        "__call__'s use of shape and dtype",
        "initializer_call",
    ),
    "test_returns_a_finite_scalar": Contract(
        "The penalty must be one finite number.",
        "__call__: a sum or mean over the weights",
        "regularizer_call",
    ),
    "test_adds_its_penalty_to_the_model_losses": Contract(
        "A layer regularized with it must add its penalty to the model's losses.",
        "__call__",
        "regularizer_call",
    ),
    "test_keeps_the_shape_and_is_idempotent": Contract(
        "The projection must keep the weights' shape and change nothing the second time.",
        "__call__",
        "constraint_call",
    ),
    "test_keeps_the_shape_eagerly_and_symbolically": Contract(
        "The activation must keep the input's shape, on tensors and on keras.Input.",
        "the function: element-wise keras.ops only",
    ),
    "test_a_saved_model_keeps_the_name_not_the_hyperparameters": Contract(
        "A saved model must keep the function's registered name.",
        "the registration",
        "function_register",
    ),
    "test_resets": Contract(
        "reset_state must bring the metric back to a fresh one's state.",
        "reset_state, singular: the name Keras 3 calls",
    ),
    "test_config_is_plain_json": Contract(
        "get_config must return plain JSON: Keras objects serialized.",
        "get_config",
        "serialize_objects",
    ),
    "test_is_the_same_at_inference": Contract(
        "Random in training only: with training=False, two calls must agree.",
        "call: draw only when training is true",
    ),
    "test_draws_in_training": Contract(
        "Random in training: a call with training=True must differ from inference.",
        "call: draw when training is true (a flag that never reaches call, a rate of 0)",
    ),
    "test_evaluate_runs_its_test_step": Contract(
        "evaluate must run the model's test_step and report the compiled metrics.",
        "test_step",
        "test_step",
    ),
    "test_loads_in_a_fresh_process": Contract(
        "A saved model must load, and predict the same, in a process that imports only "
        "the component's module.",
        "the registration: the module must register what the model names",
        "register",
    ),
    "test_trains_the_same_with_xla": Contract(
        "Training compiled with XLA must reach what eager training reaches.",
        "Python-side state or randomness in the math (a random component: --stochastic)",
    ),
    "test_trains_on_two_devices": Contract(
        "Training on two devices must match one device: history, weights, evaluation.",
        "state outside variables, a loss not divided among the devices (a loss of the "
        "whole batch returned as a scalar: broadcast it to one value per sample), a loss "
        "metric updated with the divided loss, a loss whose reduction is none (each "
        "device's losses are added up)",
    ),
    "test_runs_in_mixed_precision": Contract(
        "Under mixed_float16 the layer must compute in float16 with float32 weights, "
        "and train.",
        "build (add_weight without a dtype) and call (no hard-coded float32)",
        "add_weight",
    ),
    "test_train_step_scales_the_loss_for_mixed_precision": Contract(
        "train_step must scale the loss for a LossScaleOptimizer.",
        "train_step: optimizer.scale_loss before the gradients",
        "scale_loss",
    ),
    "test_trains_in_mixed_precision": Contract(
        "The model must train under mixed_float16.",
        "train_step and call (no hard-coded float32)",
        "scale_loss",
    ),
}


# Failure messages that tell the cause better than the contract's own note does (a config
# round trip fails at from_config for want of **kwargs...), for any test or for one.
_NOTES_BY_MESSAGE = (
    ("unexpected keyword argument", "kwargs", None),
    ("Error when deserializing class", "kwargs", None),
    ("does not implement get_config", "regularizer_config", None),
    ("Could not locate class", "register", None),
    ("is not JSON serializable", "serialize_objects", None),
    ("objects could not be loaded", "build", None),
    ("KeyError", "get_config", "test_get_config_round_trip"),
)


def note_for(test: str, message: str) -> str | None:
    """The key of the note that covers a failure of `test` with `message`: one its
    message points to, else the contract's own, if the test's own assertion failed (an
    error raised on the way, in training say, is not the mistake the contract is about).
    """
    for fragment, key, only in _NOTES_BY_MESSAGE:
        if fragment in message and only in (None, test):
            return key
    contract = CONTRACTS.get(test)
    asserted = message.startswith(("AssertionError", "assert "))
    return contract.note if contract and asserted else None


# How a heavy test reports a new process that a signal killed (kgen_harness.run_python):
# a crash, which says nothing of the component's contract.
CRASHED = ") was killed by SIG"
CRASHED_NOTE = (
    "The new Python process crashed (a signal killed it) before the check could finish: "
    "run it again. A crash that repeats comes from native code the process loads (the "
    "backend's, or an extension's the component uses), not from a contract it failed."
)


def contract_row(
    test: str, kind: str, outcome: str, message: str, raw: str = ""
) -> dict:
    """One contract as `kgen check` reports it (its --json rows): what the test proves,
    its outcome and, for a failure, its one-line cause and the note on it (chosen by
    the `raw` message, the error as raised)."""
    contract = CONTRACTS.get(test)
    note = ""
    if outcome == "failed" and CRASHED in (raw or message):
        note = CRASHED_NOTE
    elif outcome == "failed":
        parts = [
            f"Look at {contract.look_at}." if contract else "",
            _usual_mistake(note_for(test, raw or message)),
            f"More: kgen explain {kind}" if kind else "",
        ]
        note = " ".join(part for part in parts if part)
    return {
        "contract": test,
        "proves": contract.proves if contract else "",
        "outcome": outcome,
        "passed": outcome == "passed",
        "message": message,
        "note": note,
    }


def failure_texts() -> dict[str, str]:
    """Per test name, what the failure report adds: what the test proves, where to look,
    and the usual mistake there with what Keras then does."""
    texts = {}
    for name, contract in CONTRACTS.items():
        text = f"{contract.proves} Look at {contract.look_at}. "
        texts[name] = (text + _usual_mistake(contract.note)).strip()
    return texts


def _usual_mistake(key: str | None) -> str:
    """`The usual mistake: ...; then <what Keras does>.`, or "" for a note without one."""
    note = NOTES.get(key or "")
    if not note or not note.mistake:
        return ""
    return f"The usual mistake: {note.mistake}" + (
        f"; then {note.error}." if note.error else "."
    )
