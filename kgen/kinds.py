"""The component kinds. A kind is data: adding one is adding a record here and its templates.

`reserved` lists the names a `--param` may not take: the base class's constructor arguments and
public attributes (assigning `self.weights = ...` in a Layer breaks it), and the names the
generated code itself uses. The test suite checks these lists against the real Keras classes.
"""

from dataclasses import dataclass, field, replace
from pathlib import Path

from kgen.errors import KgenError

# Names that the generated code uses inside the class body.
_GENERATED_CODE_NAMES = frozenset(
    {
        "self",
        "args",
        "kwargs",
        "keras",
        "ops",
        "tf",
        "np",
        "json",
        "importlib",
        "random",
        "sys",
        "pytest",
        "super",
        "list",
        "config",
    }
)

_LAYER_ATTRIBUTES = frozenset(
    """activity_regularizer add_loss add_metric add_variable add_weight autocast build
    build_from_config built call call_signature_parameters compute_dtype compute_mask
    compute_output_shape compute_output_spec count_params dtype dtype_policy from_config
    get_build_config get_config get_weights input input_dtype input_spec input_shape
    load_own_variables losses metrics metrics_variables name non_trainable_variables
    non_trainable_weights output output_shape path quantization_mode quantize quantized_build
    quantized_call rematerialized_call save_own_variables set_weights stateless_call
    supports_jit supports_masking symbolic_call trainable trainable_variables
    trainable_weights variable_dtype variables weights""".split()
)

_MODEL_ATTRIBUTES = _LAYER_ATTRIBUTES | frozenset(
    """compile compile_from_config compiled compiled_loss compiled_metrics compute_loss
    compute_metrics distribute_reduction_method distribute_strategy evaluate export fit
    get_compile_config get_layer get_metrics_result get_quantization_layer_structure
    make_predict_function make_test_function make_train_function
    get_state_tree history inputs jit_compile layers load_weights loss metrics_names optimizer
    outputs predict predict_function predict_on_batch predict_step reset_metrics
    run_eagerly save save_weights set_state_tree stateless_compute_loss
    steps_per_execution stop_evaluating stop_predicting stop_training summary test_function
    test_on_batch test_step to_json
    train_function train_on_batch train_step unrolled_steps_per_execution""".split()
)


@dataclass(frozen=True)
class Note:
    """What a piece of generated code does and why (`--explain`, `kgen explain`)."""

    text: str  # what the piece does and why, in a line or two
    mistake: str = ""  # the usual mistake at this piece...
    error: str = ""  # ...and what Keras then does or says


@dataclass(frozen=True)
class Step:
    """One piece of a component, as `kgen explain` shows it."""

    piece: str  # how it reads in the code
    returns: str  # what it must return
    notes: tuple[str, ...]  # keys of NOTES


REGISTER_STEP = Step(
    '@keras.saving.register_keras_serializable(package="Custom")',
    "the class, now known by its registered name (runs once, at import)",
    ("register",),
)
CONFIG_STEP = Step(
    "get_config(self)",
    "a dict of every constructor argument, in plain JSON values (called when saving)",
    ("get_config",),
)


@dataclass(frozen=True)
class BaseArg:
    """A constructor argument every component of the kind takes, with the base class's default."""

    name: str
    default: str  # Python source
    doc: str
    forwarded: bool = True  # passed on to `super().__init__`
    leading: bool = False  # comes before the params, as an optimizer's learning_rate
    restated_as: str = ""  # a --param of this name and TYPE sets its default instead
    # What a component may make its default (`--base NAME=VALUE`): the values, or the
    # Python types (None is always taken).
    accepts: tuple[object, ...] = (str,)


@dataclass(frozen=True)
class ModelSetup:
    """How the generated tests put a component into a small model, and find it again in a
    model loaded from disk. `{}` stands for the component, or the model. The model's
    inputs, its head and its loss come from the component's test profile (kgen.profile).
    """

    # Between the inputs and the head; "": the head alone; None: the component is the model.
    layers: str | None
    # compile's arguments besides the optimizer and the profile's loss.
    compile: str = ""
    found: str | None = None  # where a model keeps it; None: compare evaluate() instead
    heavy_claims: str = ""  # the kind's heavy tests beyond the three every one gets
    # A model built as Name(inputs, outputs), the profile's head on its inputs.
    graph: bool = False
    # A model's own test_step reports the compiled metrics: compile the profile's.
    metric: bool = False


def _in_dense(argument: str) -> ModelSetup:
    """A kind that a Dense layer takes as `argument`: kernel_initializer, activation..."""
    return ModelSetup(
        layers=f"keras.layers.Dense(4, {argument}={{}})",
        found=f"{{}}.layers[0].{argument}",
    )


@dataclass(frozen=True)
class FunctionStyle:
    """The plain-function form Keras also accepts for a kind (`--style function`)."""

    signature: str  # the inner function's arguments: "y_true, y_pred"
    returns: str  # for its docstring
    model_setup: ModelSetup


@dataclass(frozen=True)
class GraphStyle:
    """A model subclass built the functional way, `Name(inputs, outputs)` (`--style
    functional`), as the Keras guide "Customizing what happens in fit()" does: its layers
    come from the graph, so the class holds only its steps."""

    methods: tuple[str, ...]  # what a build spec may give bodies for
    walkthrough: tuple[Step, ...]
    model_setup: ModelSetup


@dataclass(frozen=True)
class Kind:
    name: str  # the CLI word: "loss"
    base: str  # "keras.losses.Loss"
    summary: str
    subpackage: str  # where a project keeps the kind: src/<package>/losses/
    examples: tuple[str, ...]  # command lines for its --help
    # What a build spec may give bodies for ("init": the constructor's tail).
    methods: tuple[str, ...]
    math_method: str  # the method whose math the reference test mirrors
    # How the tests use it; None: the kind brings its own tests, <kind>/test.py.j2.
    model_setup: ModelSetup | None
    base_args: tuple[BaseArg, ...] = ()
    takes_kwargs: bool = False  # forwards **kwargs to the base class (Layer, Model)
    base_attributes: frozenset[str] = frozenset()
    default_attributes: frozenset[str] = frozenset()  # set by the default bodies
    # Its math compares y_pred with y_true: the tests draw Y_PRED as the profile's head
    # gives it.
    takes_predictions: bool = False
    function: FunctionStyle | None = None  # the kind has a function style too
    functional: GraphStyle | None = None  # ...or a functional style, for models
    default_style: str = "class"
    # Its templates: module.py.j2, checks.py.j2 (and function.py.j2). None: kgen's own
    # templates/<name>/ folder.
    templates: Path | None = None
    walkthrough: tuple[Step, ...] = ()  # its class style's pieces, for `kgen explain`
    notes: dict[str, Note] = field(default_factory=dict)  # its own notes, by marker key
    # Methods of `methods` that a module shows only when a build spec gives them a body.
    optional_methods: frozenset[str] = frozenset()
    # Its params may hold Keras objects (kgen writes the from_config that rebuilds them).
    nests: bool = True
    # Its code is written for one backend (a model's train_step): `--backend` chooses it,
    # and `kgen explain` shows the pieces of the style's walkthrough on that backend.
    per_backend: bool = False
    backend_walkthroughs: dict[str, dict[str, tuple[Step, ...]]] = field(
        default_factory=dict
    )

    @property
    def styles(self) -> tuple[str, ...]:
        return (
            ("class",)
            + ("function",) * bool(self.function)
            + ("functional",) * bool(self.functional)
        )

    def methods_of(self, style: str) -> tuple[str, ...]:
        """What a build spec may give bodies for in `style`."""
        if style == "function":
            return ("function",)
        if style == "functional":
            return self.functional.methods
        return self.methods

    def style_named(self, style: str | None) -> str:
        """`style`, or the kind's default for None; a one-line error for one it lacks."""
        style = style or self.default_style
        if style not in self.styles:
            raise KgenError(
                f"--style {style!r}: a {self.name} can be written as: {', '.join(self.styles)}"
            )
        return style

    def function_reserved(self, names: tuple[str, ...]) -> frozenset[str]:
        """Names a param of the function style may not take: the inner function's
        arguments, the module's own functions and what the generated code uses."""
        assert self.function is not None
        arguments = {
            a.strip().split("=")[0] for a in self.function.signature.split(",")
        }
        return frozenset(arguments) | set(names) | _GENERATED_CODE_NAMES

    @property
    def reserved(self) -> frozenset[str]:
        own = {arg.name for arg in self.base_args} | set(self.methods)
        return (
            self.base_attributes | self.default_attributes | own | _GENERATED_CODE_NAMES
        )

    @property
    def template_dir(self) -> str:
        """Where the templates find its files: `loss/module.py.j2`."""
        return self.name


# A model is the test's model itself: compiled, and compared with itself once loaded.
_MODEL_SETUP = ModelSetup(
    None,
    found="{}",
    metric=True,
    heavy_claims=", mixed precision",
)

_TRAIN_STEP = Step(
    "train_step(self, data)",
    "a dict of metric results (once per batch in fit)",
    (
        "train_step",
        "unpack",
        "tape",
        "compute_loss",
        "scale_loss",
        "apply",
        "update_metrics",
    ),
)
_TEST_STEP = Step(
    "test_step(self, data)",
    "a dict of metric results (once per batch in evaluate)",
    ("test_step",),
)
# A model's steps on each backend, as Keras's guides "Customizing what happens in fit()"
# write them for TensorFlow, JAX and PyTorch.
_MODEL_STEPS = {
    "tensorflow": (_TRAIN_STEP, _TEST_STEP),
    "jax": (
        Step(
            "compute_loss_and_updates(self, trainable_variables, non_trainable_variables,"
            " metrics_variables, x, y, sample_weight, training=False,"
            " optimizer_variables=None)",
            "the scaled loss, and (loss, y_pred, non_trainable_variables,"
            " metrics_variables)",
            (
                "compute_loss_and_updates",
                "stateless_compute_loss",
                "call_losses",
                "scale_loss_jax",
            ),
        ),
        Step(
            "train_step(self, state, data)",
            "(logs, state): the metric results and the new variables (once per batch"
            " in fit)",
            (
                "train_step_jax",
                "unpack",
                "value_and_grad",
                "stateless_apply",
                "update_metrics_jax",
            ),
        ),
        Step(
            "test_step(self, state, data)",
            "(logs, state) (once per batch in evaluate)",
            ("test_step_jax",),
        ),
    ),
    "torch": (
        Step(
            "train_step(self, data)",
            "a dict of metric results (once per batch in fit)",
            (
                "train_step_torch",
                "unpack",
                "zero_grad",
                "compute_loss_torch",
                "scale_loss",
                "backward",
                "apply_torch",
                "update_metrics_torch",
            ),
        ),
        _TEST_STEP,
    ),
}


def _model_walkthroughs(*init: Step) -> dict[str, tuple[Step, ...]]:
    """A model's pieces on each backend: its constructor (and layers), then its steps."""
    return {
        backend: (REGISTER_STEP, *init, *steps, CONFIG_STEP)
        for backend, steps in _MODEL_STEPS.items()
    }


_MODEL_CLASS = _model_walkthroughs(
    Step("__init__(self, <params>, **kwargs)", "nothing", ("init", "model_init")),
    Step("build(self, input_shape)", "nothing", ("model_build",)),
    Step("call(self, inputs, training=False)", "the output tensor", ("call",)),
)
_MODEL_FUNCTIONAL = _model_walkthroughs(
    Step(
        "__init__(self, *args, <params>, **kwargs)",
        "nothing (without params there is no __init__: Keras's serves)",
        ("init", "functional_init"),
    ),
)

_NAME = BaseArg("name", "None", "Optional name for the {what} instance.")
_DTYPE = BaseArg(
    "dtype",
    "None",
    "The dtype of the {what}'s computations. Defaults to `None`, which "
    "means using `keras.backend.floatx()`.",
    accepts=("bfloat16", "float16", "float32", "float64"),
)

_CALLBACK_ATTRIBUTES = frozenset(
    """from_config get_config model on_batch_begin on_batch_end on_epoch_begin
    on_epoch_end on_predict_batch_begin on_predict_batch_end on_predict_begin on_predict_end
    on_test_batch_begin on_test_batch_end on_test_begin on_test_end on_train_batch_begin
    on_train_batch_end on_train_begin on_train_end params set_model set_params""".split()
)

# The hooks a callback's build spec may give bodies for, in the order fit calls them. A
# generated callback shows on_train_begin and on_epoch_end; the others appear when given a body.
CALLBACK_HOOKS = (
    "on_train_begin",
    "on_epoch_begin",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_begin",
    "on_test_end",
    "on_epoch_end",
    "on_train_end",
)

_OPTIMIZER_ATTRIBUTES = frozenset(
    """add_optimizer_variables add_variable add_variable_from_reference apply
    apply_gradients assign assign_add assign_sub build built clipnorm clipvalue ema_momentum
    ema_overwrite_frequency exclude_from_weight_decay finalize_variable_values from_config
    get_config global_clipnorm gradient_accumulation_steps iterations learning_rate
    load_own_variables loss_scale_factor name save_own_variables scale_loss set_weights
    stateless_apply update_step use_ema variables weight_decay""".split()
)

# keras.optimizers.Optimizer's constructor arguments, with its defaults (learning_rate has
# none there: 0.01 is SGD's), in the order Keras's own optimizers take them.
_OPTIMIZER_ARGS = (
    BaseArg(
        "learning_rate",
        "0.01",
        "A float, a `keras.optimizers.schedules.LearningRateSchedule` instance, or "
        "a callable that takes no arguments and returns the learning rate to use.",
        leading=True,
        accepts=(float,),
    ),
    BaseArg(
        "weight_decay",
        "None",
        "Float. If set, weight decay is applied.",
        accepts=(float,),
    ),
    BaseArg(
        "clipnorm",
        "None",
        "Float. If set, the gradient of each weight is clipped so that its norm is "
        "no higher than this value.",
        accepts=(float,),
    ),
    BaseArg(
        "clipvalue",
        "None",
        "Float. If set, the gradient of each weight is clipped to be no higher than "
        "this value.",
        accepts=(float,),
    ),
    BaseArg(
        "global_clipnorm",
        "None",
        "Float. If set, the gradient of all weights is clipped so that their global "
        "norm is no higher than this value.",
        accepts=(float,),
    ),
    BaseArg(
        "use_ema",
        "False",
        "Boolean. If `True`, an exponential moving average (EMA) of the weights is "
        "kept, and periodically written over them.",
        accepts=(bool,),
    ),
    BaseArg(
        "ema_momentum",
        "0.99",
        "Float. The momentum of the EMA, only used if `use_ema=True`.",
        accepts=(float,),
    ),
    BaseArg(
        "ema_overwrite_frequency",
        "None",
        "Int or `None`. With `use_ema=True`, the weights are overwritten by their "
        "average every this many iterations (with `None`, at the end of `fit`).",
        accepts=(int,),
    ),
    BaseArg(
        "loss_scale_factor",
        "None",
        "Float or `None`. If a float, the loss is multiplied by it before the "
        "gradients are computed, and the gradients are divided by it.",
        accepts=(float,),
    ),
    BaseArg(
        "gradient_accumulation_steps",
        "None",
        "Int or `None`. If an int, the variables are updated every this many steps, "
        "with the average of the gradients since the last update.",
        accepts=(int,),
    ),
    BaseArg("name", "None", "String. The name of the optimizer."),
)

KINDS = {
    kind.name: kind
    for kind in (
        Kind(
            name="loss",
            walkthrough=(
                REGISTER_STEP,
                Step(
                    "__init__(self, <params>, reduction=..., name=None, dtype=None)",
                    "nothing; it stores the params",
                    ("init", "loss_base_args"),
                ),
                Step(
                    "call(self, y_true, y_pred)",
                    "one loss per sample, shape (batch_size,): the base class weights and reduces",
                    ("loss_call",),
                ),
                CONFIG_STEP,
            ),
            subpackage="losses",
            examples=(
                "kgen loss Huber --param threshold",
                "kgen loss ContrastiveLoss -p margin=1.0",
                "kgen loss Huber --param threshold --style function --explain",
            ),
            base="keras.losses.Loss",
            summary="a keras.losses.Loss subclass",
            methods=("init", "call"),
            math_method="call",
            model_setup=ModelSetup("", "loss={}", "{}.loss"),
            takes_predictions=True,
            base_args=(
                BaseArg(
                    "reduction",
                    '"sum_over_batch_size"',
                    "Type of reduction to apply to "
                    'the loss: `"sum_over_batch_size"`, `"sum"`, `"mean"`, '
                    '`"mean_with_sample_weight"`, `"none"` or `None`.',
                    accepts=(
                        "sum_over_batch_size",
                        "sum",
                        "mean",
                        "mean_with_sample_weight",
                        "none",
                    ),
                ),
                _NAME,
                _DTYPE,
            ),
            base_attributes=frozenset(
                {"call", "dtype", "from_config", "get_config", "name", "reduction"}
            ),
            function=FunctionStyle(
                "y_true, y_pred",
                "One loss value per sample.",
                ModelSetup("", "loss={}", "{}.loss"),
            ),
        ),
        Kind(
            name="layer",
            walkthrough=(
                REGISTER_STEP,
                Step(
                    "__init__(self, <params>, **kwargs)", "nothing", ("init", "kwargs")
                ),
                Step(
                    "build(self, input_shape)",
                    "nothing; it creates the weights with add_weight (at the first call)",
                    ("build", "add_weight"),
                ),
                Step("call(self, inputs)", "the output tensor", ("call",)),
                Step(
                    "compute_output_shape(self, input_shape)",
                    "the output's shape, a tuple",
                    ("compute_output_shape",),
                ),
                CONFIG_STEP,
            ),
            subpackage="layers",
            examples=(
                "kgen layer SimpleDense -p units:int=32 -p activation:activation=relu",
                "kgen layer simple_dense -p kernel_initializer:initializer=glorot_uniform",
            ),
            base="keras.layers.Layer",
            summary="a keras.layers.Layer subclass",
            methods=("init", "build", "call", "compute_output_shape"),
            math_method="call",
            model_setup=ModelSetup(
                "{}",
                found="{}.layers[0]",
                heavy_claims=", mixed precision",
            ),
            takes_kwargs=True,
            base_attributes=_LAYER_ATTRIBUTES,
            default_attributes=frozenset({"kernel", "embeddings"}),
        ),
        Kind(
            name="metric",
            walkthrough=(
                REGISTER_STEP,
                Step(
                    "__init__(self, <params>, name=None, dtype=None)",
                    "nothing; it creates the state variables with add_variable",
                    ("init", "metric_base_args", "metric_state"),
                ),
                Step(
                    "update_state(self, y_true, y_pred, sample_weight=None)",
                    "nothing; it assigns to the state variables (every batch)",
                    ("update_state",),
                ),
                Step(
                    "result(self)", "the metric's value, a scalar tensor", ("result",)
                ),
                Step(
                    "reset_state(self)",
                    "nothing; it zeroes the state (every epoch, every evaluate)",
                    ("reset_state",),
                ),
                CONFIG_STEP,
            ),
            subpackage="metrics",
            examples=("kgen metric PSNR -p max_value=1.0",),
            base="keras.metrics.Metric",
            summary="a keras.metrics.Metric subclass",
            methods=("init", "update_state", "result", "reset_state"),
            math_method="update_state",
            model_setup=ModelSetup("", compile="metrics=[{}]"),
            takes_predictions=True,
            default_attributes=frozenset({"total", "count"}),
            base_args=(_NAME, _DTYPE),
            base_attributes=frozenset(
                """add_variable add_weight dtype from_config get_config name reset_state result
                stateless_reset_state stateless_result stateless_update_state update_state
                variables""".split()
            ),
        ),
        Kind(
            name="regularizer",
            walkthrough=(
                REGISTER_STEP,
                Step("__init__(self, <params>)", "nothing", ("init",)),
                Step(
                    "__call__(self, x)",
                    "a scalar penalty (every training step)",
                    ("regularizer_call",),
                ),
                Step(
                    "get_config(self)", "a dict of every param", ("regularizer_config",)
                ),
            ),
            subpackage="regularizers",
            examples=("kgen regularizer L1Regularizer -p factor=0.01",),
            base="keras.regularizers.Regularizer",
            summary="a keras.regularizers.Regularizer subclass",
            methods=("init", "__call__"),
            math_method="__call__",
            model_setup=_in_dense("kernel_regularizer"),
            base_attributes=frozenset({"from_config", "get_config"}),
            function=FunctionStyle(
                "x",
                "A scalar penalty for the weights `x`.",
                _in_dense("kernel_regularizer"),
            ),
        ),
        Kind(
            name="initializer",
            walkthrough=(
                REGISTER_STEP,
                Step(
                    "__init__(self, <params>, seed=None)", "nothing", ("init", "seed")
                ),
                Step(
                    "__call__(self, shape, dtype=None)",
                    "a tensor of that shape and dtype (once per weight, in build)",
                    ("initializer_call",),
                ),
                CONFIG_STEP,
            ),
            subpackage="initializers",
            examples=("kgen initializer ScaledNormal -p scale=1.0",),
            base="keras.initializers.Initializer",
            summary="a keras.initializers.Initializer subclass",
            methods=("init", "__call__"),
            math_method="__call__",
            model_setup=_in_dense("kernel_initializer"),
            base_args=(
                BaseArg(
                    "seed",
                    "None",
                    "Integer seed, so that the values are reproducible. "
                    "With `None`, a seed is drawn once, when the initializer is created.",
                    forwarded=False,
                    restated_as="int",  # as Keras's own initializers declare it
                    accepts=(int,),
                ),
            ),
            base_attributes=frozenset({"clone", "from_config", "get_config"}),
            function=FunctionStyle(
                "shape, dtype=None",
                "A tensor of the given shape and dtype.",
                _in_dense("kernel_initializer"),
            ),
        ),
        Kind(
            name="constraint",
            walkthrough=(
                REGISTER_STEP,
                Step("__init__(self, <params>)", "nothing", ("init",)),
                Step(
                    "__call__(self, w)",
                    "the projected weights, of w's shape (after every optimizer step)",
                    ("constraint_call",),
                ),
                CONFIG_STEP,
            ),
            subpackage="constraints",
            examples=("kgen constraint NonNegative",),
            base="keras.constraints.Constraint",
            summary="a keras.constraints.Constraint subclass",
            methods=("init", "__call__"),
            math_method="__call__",
            model_setup=_in_dense("kernel_constraint"),
            base_attributes=frozenset({"from_config", "get_config"}),
            function=FunctionStyle(
                "w",
                "The weights `w`, projected into the allowed set.",
                _in_dense("kernel_constraint"),
            ),
        ),
        Kind(
            name="activation",
            walkthrough=(
                REGISTER_STEP,
                Step(
                    "__init__(self, <params>, **kwargs)", "nothing", ("init", "kwargs")
                ),
                Step("call(self, inputs)", "a tensor of the input's shape", ("call",)),
                Step(
                    "compute_output_shape(self, input_shape)",
                    "input_shape",
                    ("compute_output_shape",),
                ),
                CONFIG_STEP,
            ),
            subpackage="activations",
            examples=(
                "kgen activation ScaledTanh -p scale=1.0",
                "kgen activation ScaledTanh -p scale=1.0 --style class",
            ),
            base="keras.layers.Layer",
            summary="an activation function (or, with --style class, a layer)",
            methods=("init", "call"),
            math_method="call",
            model_setup=ModelSetup(
                "{}",
                found="{}.layers[0]",
                heavy_claims=", mixed precision",
            ),
            takes_kwargs=True,
            base_attributes=_LAYER_ATTRIBUTES,
            function=FunctionStyle(
                "x", "A tensor of the shape of `x`.", _in_dense("activation")
            ),
            default_style="function",
        ),
        Kind(
            name="model",
            walkthrough=_MODEL_CLASS["tensorflow"],
            functional=GraphStyle(
                methods=("init", "train_step", "test_step"),
                walkthrough=_MODEL_FUNCTIONAL["tensorflow"],
                model_setup=replace(_MODEL_SETUP, graph=True),
            ),
            subpackage="models",
            examples=(
                "kgen model ClippedModel -p clip_norm=1.0",
                "kgen model ClippedModel -p clip_norm=1.0 --style functional",
                "kgen model ClippedModel -p clip_norm=1.0 --backend jax",
            ),
            base="keras.Model",
            summary="a keras.Model subclass with its own train_step",
            methods=("init", "build", "call", "train_step", "test_step"),
            math_method="call",
            model_setup=_MODEL_SETUP,
            takes_kwargs=True,
            base_attributes=_MODEL_ATTRIBUTES,
            default_attributes=frozenset({"dense", "flatten", "embeddings"}),
            per_backend=True,
            backend_walkthroughs={
                "class": _MODEL_CLASS,
                "functional": _MODEL_FUNCTIONAL,
            },
        ),
        Kind(
            name="callback",
            subpackage="callbacks",
            examples=(
                "kgen callback StopAtLoss -p target=0.1",
                "kgen callback EpochLogger -p monitor:str=val_loss --explain",
            ),
            base="keras.callbacks.Callback",
            summary="a keras.callbacks.Callback subclass, for fit(callbacks=[...])",
            methods=("init", *CALLBACK_HOOKS),
            math_method="on_epoch_end",
            model_setup=None,
            nests=False,
            optional_methods=frozenset(CALLBACK_HOOKS)
            - {"on_train_begin", "on_epoch_end"},
            base_attributes=_CALLBACK_ATTRIBUTES,
            default_attributes=frozenset({"epoch_losses"}),
            walkthrough=(
                REGISTER_STEP,
                Step(
                    "__init__(self, <params>)",
                    "nothing; it stores the params",
                    ("init", "callback_init"),
                ),
                Step(
                    "on_train_begin(self, logs=None)",
                    "nothing (once, when fit starts; model and params are set by then)",
                    ("callback_hooks",),
                ),
                Step(
                    "on_epoch_begin(self, epoch, logs=None)", "nothing (each epoch)", ()
                ),
                Step(
                    "on_train_batch_begin(self, batch, logs=None)\n"
                    "   on_train_batch_end(self, batch, logs=None)",
                    "nothing (around each batch; logs: the epoch's results so far)",
                    (),
                ),
                Step(
                    "on_test_begin(self, logs=None)\n   on_test_end(self, logs=None)",
                    "nothing (around validation, and around evaluate)",
                    (),
                ),
                Step(
                    "on_epoch_end(self, epoch, logs=None)",
                    "nothing; it may set self.model.stop_training (each epoch)",
                    ("on_epoch_end", "stop_training"),
                ),
                Step(
                    "on_train_end(self, logs=None)", "nothing (once, when fit ends)", ()
                ),
                Step(
                    "from_config(cls, config)",
                    "a new callback (when deserialized by its registered name)",
                    ("callback_from_config",),
                ),
                Step(
                    "get_config(self)",
                    "a dict of every constructor argument, in plain JSON values",
                    ("callback_config", "get_config"),
                ),
            ),
        ),
        Kind(
            name="optimizer",
            subpackage="optimizers",
            examples=(
                "kgen optimizer MomentumSGD -p momentum=0.9",
                "kgen optimizer Lion -p beta_1=0.9 -p beta_2=0.99 --explain",
            ),
            base="keras.optimizers.Optimizer",
            summary="a keras.optimizers.Optimizer subclass with its own update_step",
            methods=("init", "build", "update_step"),
            math_method="update_step",
            model_setup=None,
            nests=False,
            base_args=_OPTIMIZER_ARGS,
            base_attributes=_OPTIMIZER_ATTRIBUTES,
            default_attributes=frozenset({"velocities"}),
            walkthrough=(
                REGISTER_STEP,
                Step(
                    "__init__(self, learning_rate=0.01, <params>, weight_decay=None, ..., name=None)",
                    "nothing; it stores the params",
                    ("init", "optimizer_base_args"),
                ),
                Step(
                    "build(self, variables)",
                    "nothing; it makes the slots (once, at the first step)",
                    ("optimizer_build", "slots"),
                ),
                Step(
                    "update_step(self, gradient, variable, learning_rate)",
                    "nothing; it assigns to the variable and its slots (each step, each variable)",
                    ("update_step", "variable_index"),
                ),
                CONFIG_STEP,
            ),
        ),
    )
}


def register_kind(kind: Kind) -> None:
    """Add a kind (a record, and with `templates` a folder of its templates): every command
    then knows it, as it knows the built-in ones."""
    if kind.name in KINDS:
        raise KgenError(f"a kind named {kind.name!r} exists already")
    KINDS[kind.name] = kind


def kind_named(name: str) -> Kind:
    """The kind a command names, or a one-line error listing them."""
    if name not in KINDS:
        raise KgenError(f"unknown kind {name!r}; expected one of: {', '.join(KINDS)}")
    return KINDS[name]
