"""What each piece of a generated component does and why: the one source of `--explain`
comments and of `kgen explain KIND`.

Templates mark a piece with a line `# kgen-explain: KEY`; rendering replaces the marker with
NOTES[KEY] as a comment, or drops it when the module is to stay lean. Every `mistake` with an
`error` is checked against the installed Keras by the test suite (tests/test_explanations.py).
"""

import re
import textwrap

from kgen.errors import KgenError
from kgen.kinds import KINDS, Note, Step, kind_named

# The notes every kind shares; a kind's record may bring notes of its own (Kind.notes).
NOTES = {
    "register": Note(
        "Registration files the class under its registered name; a saved model names it so,"
        " and load_model finds it once this module is imported, without custom_objects.",
        mistake="leaving the decorator out (or not importing the module before loading)",
        error="load_model fails: 'Could not locate class ...'",
    ),
    "function_register": Note(
        "Registered by name, so that a model using the function can be saved and loaded."
        " A saved model keeps only that name: the hyperparameters closed over are not saved.",
        mistake="expecting a saved model to remember the hyperparameters of the closure",
        error="none: the loaded model uses whichever function is registered under the name",
    ),
    "function_factory": Note(
        "The outer function takes the hyperparameters and returns the inner one, which"
        " closes over them: Keras calls the inner function with its usual arguments only.",
    ),
    "function_default": Note(
        "Importing this module registers the function with the default hyperparameters:"
        " that is the one a loaded model gets. To save other values, use the class style.",
    ),
    "init": Note(
        "The constructor stores every hyperparameter on self, so that get_config can"
        " write it back and from_config can rebuild the same object.",
    ),
    "loss_base_args": Note(
        "reduction, name and dtype go to the base class: its __call__ applies sample_weight"
        " and then the reduction to what call returns.",
    ),
    "metric_base_args": Note(
        "name and dtype go to the base class, which must be initialized before any"
        " variable is added.",
    ),
    "kwargs": Note(
        "**kwargs carries the base arguments (name, dtype, trainable...): from_config calls"
        " cls(**config) with them, so a constructor without **kwargs cannot load.",
        mistake="a constructor without **kwargs",
        error="from_config fails: TypeError: Error when deserializing class ...",
    ),
    "object_params": Note(
        "keras.<module>.get turns a name, a config or an object into the object itself,"
        " so the constructor accepts all three, and from_config can pass a config back.",
    ),
    "seed": Note(
        "Like Keras's own initializers: without a seed one is drawn now, so every call"
        " gives the same values. The seed given stays in the config as it was.",
        mistake="drawing new random values on every call",
        error="none, silently: each call, and each model built, starts from other weights",
    ),
    "build": Note(
        "build runs once, at the first call, when the input shape is known: weights whose"
        " size depends on the input are created here, not in __init__.",
        mistake="making weights outside build: in __init__, from a guessed input size,"
        " or at the first call, in a sublayer left unbuilt",
        error="a model whose inputs are of another size fails: 'Could not automatically"
        " infer the output shape'",
    ),
    "add_weight": Note(
        "add_weight makes a tracked variable: trained, regularized, constrained, saved and"
        " loaded with the layer. Pass its arguments by keyword.",
    ),
    "call": Note(
        "call is the forward computation. Written with keras.ops, it runs eagerly, traced"
        " into a graph and under XLA; keep Python side effects out of it.",
    ),
    "compute_output_shape": Note(
        "compute_output_shape gives the output's shape without computing it, for symbolic"
        " inputs such as keras.Input; None stands for an unknown size.",
    ),
    "get_config": Note(
        "get_config returns the constructor's arguments as plain (JSON) values: saving"
        " writes them into the .keras file, and loading calls from_config(config).",
        mistake="leaving a constructor argument out of get_config",
        error="none at once: the object rebuilt from its config (a loaded model's) silently"
        " takes that argument's default",
    ),
    "serialize_objects": Note(
        "Keras objects go into the config serialized (keras.<module>.serialize, or"
        " keras.saving.serialize_keras_object for a layer, model...), so that the config"
        " stays JSON; get() in the constructor, or from_config, reads them back.",
        mistake="writing the object itself into the config (self.activation)",
        error="get_config() is no longer JSON: 'Object of type function is not JSON"
        " serializable' (saving still works: Keras serializes it on the way)",
    ),
    "build_wrapped": Note(
        "A layer held by this one is built in build, as keras.layers.Wrapper does: loading"
        " a saved model calls build() and then restores the weights, which must exist by"
        " then. Unless it is built already: from_config gives it back built.",
    ),
    "from_config": Note(
        "from_config rebuilds each Keras object the constructor holds from its config, in"
        " a deep copy: rebuilding a functional model empties the dict it is given, and"
        " Keras may use the caller's again (cls(**config) alone would pass plain dicts).",
    ),
    "loss_call": Note(
        "call returns one loss per sample. Do not average over the batch here: the base"
        " class weights each sample by sample_weight, then applies the reduction.",
        mistake="averaging over the batch inside call",
        error="none, silently: reduction='none' gives a single value, not one per sample",
    ),
    "metric_state": Note(
        "The state lives in variables made with add_variable: they are saved, reset, and"
        " summed over devices under tf.distribute (aggregation='sum').",
        mistake="keeping the state in a Python attribute (self.total = 0.0)",
        error="fit fails: 'is out of scope and cannot be used here' (the compiled step"
        " leaks a tensor), and no variable holds the state to save or sum",
    ),
    "update_state": Note(
        "update_state adds one batch to the state; it runs inside the compiled train and"
        " test steps, so it must only use keras.ops and assign to variables.",
    ),
    "result": Note(
        "result turns the state into the metric's value; Keras calls it after each batch"
        " for the progress bar and the history.",
    ),
    "reset_state": Note(
        "reset_state sets the state back to zero; Keras calls it at the start of every"
        " epoch and of every evaluate.",
        mistake="overriding reset_states (plural), the Keras 2 name",
        error="none, silently: Keras 3 never calls it; its own reset_state sets every"
        " variable to zero instead, whatever the metric's reset said",
    ),
    "regularizer_call": Note(
        "__call__ returns one number, the penalty for these weights; Keras adds it to the"
        " model's loss through layer.losses at every training step.",
    ),
    "regularizer_config": Note(
        "The base class's get_config raises NotImplementedError: a regularizer with"
        " hyperparameters must write its own, or it cannot be saved.",
        mistake="relying on the base class's get_config",
        error="NotImplementedError: ... does not implement get_config()",
    ),
    "initializer_call": Note(
        "__call__(shape, dtype) returns the initial values of a weight of that shape; the"
        " layer calls it from add_weight, in build.",
    ),
    "constraint_call": Note(
        "__call__ returns the weights projected back into the allowed set; Keras applies"
        " it after every optimizer step.",
    ),
    "model_init": Note(
        "Sublayers assigned to self in __init__ are tracked: their weights are trained,"
        " saved and loaded with the model.",
        mistake="building this class the functional way, as Name(inputs, outputs)",
        error="AttributeError: ... object has no attribute 'dense' (Keras builds the graph"
        " inside super().__init__, before the layers exist): use --style functional",
    ),
    "functional_init": Note(
        "Built as Name(inputs, outputs), the model's layers are the graph's: *args and"
        " **kwargs pass inputs, outputs and name on to keras.Model. Loading rebuilds the"
        " graph from the config and passes the other entries back as keywords.",
    ),
    "model_build": Note(
        "build creates every sublayer's weights from the input shape: a model loaded from"
        " a file is built before its weights are restored.",
    ),
    "train_step": Note(
        "fit calls train_step once per batch, compiled into a graph: forward pass under a"
        " tape, loss, gradients, optimizer step, metrics. It returns the metrics' values.",
    ),
    "unpack": Note(
        "data is whatever the dataset yields: (x, y), (x, y, sample_weight) or x alone.",
    ),
    "tape": Note(
        "tf.GradientTape records the operations run inside its block on trainable"
        " variables (the forward pass and the loss), so that tape.gradient can then take"
        " the gradients of the loss with respect to them.",
    ),
    "compute_loss": Note(
        "compute_loss applies the loss given to compile, with sample_weight, and adds"
        " self.losses (regularization penalties). Under tf.distribute it comes divided by"
        " the number of devices, whose gradients are summed (Keras's loss reductions"
        " divide it: a loss called by hand is divided too).",
    ),
    "scale_loss": Note(
        "scale_loss multiplies the loss by the loss scale of a LossScaleOptimizer (mixed"
        " precision), so that small float16 gradients do not round to zero.",
        mistake="taking the gradients of the unscaled loss",
        error="none, silently: under mixed precision the updates come out far too small",
    ),
    "apply": Note(
        "optimizer.apply updates each variable from its gradient (and unscales them"
        " first under loss scaling).",
    ),
    "update_metrics": Note(
        "The loss metric gets the batch's loss (multiplied back by the number of devices),"
        " the compiled metrics get y and y_pred; the step returns every metric's result.",
    ),
    "test_step": Note(
        "evaluate calls test_step once per batch: the same as train_step without the tape"
        " and the optimizer, with training=False.",
    ),
    # The model's steps on JAX (the Keras guide "Customizing what happens in fit() with JAX").
    "train_step_jax": Note(
        "On JAX, fit calls train_step(state, data) once per batch, compiled with jax.jit:"
        " a pure function that takes the model's variables as state (trainable,"
        " non-trainable, optimizer and metrics variables) and returns the logs and the new"
        " state, rather than assigning to the variables.",
    ),
    "compute_loss_and_updates": Note(
        "compute_loss_and_updates is the function jax.value_and_grad differentiates: the"
        " forward pass with the given variables (stateless_call) and the loss, with what"
        " else the pass updated (non-trainable and metrics variables) as its auxiliary"
        " output. Keras's own JAX trainer has one of this signature.",
    ),
    "stateless_compute_loss": Note(
        "stateless_compute_loss is compute_loss read against the given variables: the"
        " loss given to compile, with sample_weight, plus the regularizers' penalties of"
        " these (traced) weights, so that their gradients flow.",
    ),
    "call_losses": Note(
        "stateless_call returns the add_loss() terms of the forward pass apart"
        " (return_losses=True): they are added to the loss here.",
    ),
    "scale_loss_jax": Note(
        "scale_loss multiplies the loss by the loss scale of a LossScaleOptimizer (mixed"
        " precision); the scale is one of the optimizer's variables, read from the state"
        " through a StatelessScope. The unscaled loss is what the metrics report.",
    ),
    "value_and_grad": Note(
        "jax.value_and_grad(..., has_aux=True) returns the (scaled) loss with the"
        " auxiliary outputs, and the gradients of the loss with respect to the first"
        " argument, the trainable variables.",
    ),
    "stateless_apply": Note(
        "optimizer.stateless_apply returns the new trainable and optimizer variables"
        " (unscaling the gradients first under loss scaling); they are part of the state"
        " train_step returns: left out, fit runs but the weights never change.",
    ),
    "update_metrics_jax": Note(
        "Each metric takes its slice of the metrics variables: stateless_update_state"
        " returns them updated (the loss metric gets the batch's loss, the compiled"
        " metrics y and y_pred), stateless_result reads the logs from them.",
    ),
    "test_step_jax": Note(
        "evaluate calls test_step(state, data) once per batch: the forward pass and the"
        " loss with training=False, no gradients, and the new metrics variables in the"
        " state it returns (trainable, non-trainable and metrics variables).",
    ),
    # The model's steps on PyTorch (the guide "Customizing what happens in fit() with
    # PyTorch").
    "train_step_torch": Note(
        "On PyTorch, fit calls train_step once per batch, eagerly: forward pass, loss,"
        " loss.backward() to fill each weight's gradient, optimizer step, metrics. It"
        " returns the metrics' values.",
    ),
    "zero_grad": Note(
        "zero_grad clears the gradients the last step left on the weights: PyTorch adds"
        " new gradients to the ones already there.",
    ),
    "compute_loss_torch": Note(
        "compute_loss applies the loss given to compile, with sample_weight, and adds"
        " self.losses (regularization penalties and add_loss() terms).",
    ),
    "backward": Note(
        "backward() runs autograd from the loss: each trainable weight's torch tensor"
        " (weight.value) gets its gradient in .grad.",
    ),
    "apply_torch": Note(
        "optimizer.apply updates each weight from its gradient (and unscales them first"
        " under loss scaling), under torch.no_grad() so that autograd does not record the"
        " update.",
    ),
    "update_metrics_torch": Note(
        "The loss metric gets the batch's loss, the compiled metrics get y and y_pred;"
        " the step returns every metric's result.",
    ),
    "callback_init": Note(
        "super().__init__() sets model and params to None: fit fills them in (set_model,"
        " set_params) before it calls on_train_begin.",
    ),
    "callback_hooks": Note(
        "fit calls on_train_begin once; then, each epoch, on_epoch_begin, on_train_batch_begin"
        " and on_train_batch_end around every batch, on_test_begin and on_test_end around"
        " validation, and on_epoch_end; last, on_train_end. Override only the hooks you need:"
        " a batch-end hook makes fit wait for every batch's logs.",
    ),
    "on_epoch_end": Note(
        "logs holds the epoch's results as Python floats, under the names model.history"
        " uses: loss, the compiled metrics, and val_ ones when fit validates.",
    ),
    "stop_training": Note(
        "Setting self.model.stop_training ends fit after this epoch (after this batch, from"
        " a batch hook); on_train_end still runs.",
        mistake="setting self.stop_training, on the callback instead of the model",
        error="none, silently: fit runs every epoch",
    ),
    "callback_from_config": Note(
        "keras.callbacks.Callback has no from_config: deserializing a callback by its"
        " registered name calls this one, which passes the config back to __init__.",
        mistake="a registered callback without from_config",
        error="TypeError: Unable to reconstruct an instance of ... the class is missing a"
        " `from_config()` method.",
    ),
    "callback_config": Note(
        "keras.callbacks.Callback has no get_config either: this one starts empty and"
        " holds every constructor argument.",
    ),
    "optimizer_base_args": Note(
        "learning_rate and the base arguments (weight decay, clipping, EMA, gradient"
        " accumulation, name) go to the base class, which applies them around update_step.",
    ),
    "optimizer_build": Note(
        "build runs once, at the first step, with the model's trainable variables:"
        " super().build records them, and the optimizer's own variables are made here.",
    ),
    "slots": Note(
        "add_variable_from_reference makes a variable of the model variable's shape and"
        " dtype, tracked by the optimizer: saved with the model, restored by load_model,"
        " mirrored under tf.distribute.",
        mistake="making a slot with tf.Variable, which the optimizer does not track",
        error="none, silently: the slot is not saved, and a loaded model trains on from zero",
    ),
    "update_step": Note(
        "update_step updates one variable from its gradient, inside the compiled train"
        " step: keras.ops only, and self.assign, assign_add and assign_sub to change a"
        " variable. learning_rate is the current one (a schedule's value at this"
        " iteration); the base class has clipped the gradient and applies weight decay.",
        mistake="a learning rate of its own (a constant) instead of the learning_rate given",
        error="none, silently: the optimizer's learning rate, and any schedule, is ignored",
    ),
    "variable_index": Note(
        "_get_variable_index gives the variable's position in the list build received:"
        " the index of its slot. Under mixed precision a LossScaleOptimizer has already"
        " unscaled the gradient, and skips this step when a gradient is not finite.",
    ),
}

# A marker line, and the short comment lines right below it, which the note replaces.
_MARKER = re.compile(
    r"^([ \t]*)# kgen-explain: (\w+)\n((?:\1# (?!TODO|kgen-explain:)[^\n]*\n)*)",
    re.MULTILINE,
)


def apply_markers(source: str, explain: bool) -> str:
    """Replace each `# kgen-explain: KEY` line by its note as a comment (the note then stands
    for the short comment below the marker, if any), or drop the marker line."""

    def replace(match: re.Match) -> str:
        indent, key, short_comment = match.groups()
        notes = all_notes()
        if key not in notes:
            raise KgenError(f"a template asks to explain {key!r}, which has no note")
        if not explain:
            return short_comment
        lines = textwrap.wrap(
            notes[key].text,
            width=88 - len(indent) - 2,
            break_long_words=False,
            break_on_hyphens=False,
        )
        return "".join(f"{indent}# {line}\n" for line in lines)

    return _MARKER.sub(replace, source)


# The function style's pieces, the same for every kind that has one.
FUNCTION_STEPS = (
    Step(
        "def make_<name>(<params>):",
        "the inner function, closing over the params",
        ("function_factory",),
    ),
    Step(
        '@keras.saving.register_keras_serializable(package="Custom", name="<name>")',
        "the inner function, now known by its registered name",
        ("function_register",),
    ),
    Step(
        "<name> = make_<name>()",
        "the function with the default params, registered at import",
        ("function_default",),
    ),
)


def all_notes() -> dict[str, Note]:
    """The shared notes and those of every kind."""
    notes = dict(NOTES)
    for kind in KINDS.values():
        notes.update(kind.notes)
    return notes


def steps(kind: str, style: str, backend: str = "tensorflow") -> tuple[Step, ...]:
    """The pieces of a kind in one style, in the order Keras uses them (a model's on
    `backend`)."""
    the_kind = kind_named(kind)
    if style in the_kind.backend_walkthroughs:
        return the_kind.backend_walkthroughs[style][backend]
    if style == "function":
        return FUNCTION_STEPS
    if style == "functional":
        return the_kind.functional.walkthrough
    return the_kind.walkthrough


def walkthrough(kind: str, style: str, backend: str = "tensorflow") -> str:
    """The annotated walkthrough that `kgen explain KIND` prints; a model's steps are those
    of `backend`."""
    article = "an" if kind[0] in "aeiou" else "a"
    on = f" on the {backend} backend" if kind_named(kind).per_backend else ""
    title = f"The pieces of {article} {kind} ({style} style){on}"
    lines = [f"{title}, in the order Keras uses them.", ""]
    notes = all_notes()
    for number, step in enumerate(steps(kind, style, backend), start=1):
        lines.append(f"{number}. {step.piece}")
        lines.append(f"   Returns: {step.returns}.")
        for key in step.notes:
            note = notes[key]
            lines += textwrap.wrap(
                note.text, 88, initial_indent="   ", subsequent_indent="   "
            )
            if note.mistake:
                lines.append(f"   Mistake: {note.mistake}.")
                lines.append(f"   Then: {note.error}")
        lines.append("")
    return "\n".join(lines)
