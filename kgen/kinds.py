"""The component kinds. A kind is data: adding one is adding a record here and its templates.

`reserved` lists the names a `--param` may not take: the base class's constructor arguments and
public attributes (assigning `self.weights = ...` in a Layer breaks it), and the names the
generated code itself uses. The test suite checks these lists against the real Keras classes.
"""

from dataclasses import dataclass

from kgen.errors import KgenError

# Names that the generated code uses inside the class body.
_GENERATED_CODE_NAMES = frozenset(
    {
        "self",
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
    get_state_tree inputs jit_compile layers load_weights loss metrics_names optimizer
    outputs predict predict_function predict_on_batch predict_step reset_metrics
    run_eagerly save save_weights set_state_tree stateless_compute_loss
    steps_per_execution summary test_function test_on_batch test_step to_json
    train_function train_on_batch train_step unrolled_steps_per_execution""".split()
)


@dataclass(frozen=True)
class BaseArg:
    """A constructor argument every component of the kind takes, with the base class's default."""

    name: str
    default: str  # Python source
    doc: str
    forwarded: bool = True  # passed on to `super().__init__`
    leading: bool = False  # comes before the params, as an optimizer's learning_rate


@dataclass(frozen=True)
class FunctionStyle:
    """The plain-function form Keras also accepts for a kind (`--style function`)."""

    signature: str  # the inner function's arguments: "y_true, y_pred"
    returns: str  # for its docstring
    use: str  # how a model takes it, for the docstring's example: "loss={}"


@dataclass(frozen=True)
class Kind:
    name: str  # the CLI word: "loss"
    base: str  # "keras.losses.Loss"
    summary: str
    subpackage: str  # where a project keeps the kind: src/<package>/losses/
    methods: tuple[
        str, ...
    ]  # what a build spec may give bodies for ("init": the constructor's tail)
    base_args: tuple[BaseArg, ...] = ()
    takes_kwargs: bool = False  # forwards **kwargs to the base class (Layer, Model)
    base_attributes: frozenset[str] = frozenset()
    default_attributes: frozenset[str] = (
        frozenset()
    )  # set by the default bodies: self.kernel
    # Methods of `methods` that a module shows only when a build spec gives them a body.
    optional_methods: frozenset[str] = frozenset()
    function: FunctionStyle | None = None  # the kind has a function style too
    default_style: str = "class"

    @property
    def styles(self) -> tuple[str, ...]:
        return ("class", "function") if self.function else ("class",)

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
        return self.name


_NAME = BaseArg("name", "None", "Optional name for the {what} instance.")
_DTYPE = BaseArg(
    "dtype",
    "None",
    "The dtype of the {what}'s computations. Defaults to `None`, which "
    "means using `keras.backend.floatx()`.",
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
    ),
    BaseArg("weight_decay", "None", "Float. If set, weight decay is applied."),
    BaseArg(
        "clipnorm",
        "None",
        "Float. If set, the gradient of each weight is clipped so that its norm is "
        "no higher than this value.",
    ),
    BaseArg(
        "clipvalue",
        "None",
        "Float. If set, the gradient of each weight is clipped to be no higher than "
        "this value.",
    ),
    BaseArg(
        "global_clipnorm",
        "None",
        "Float. If set, the gradient of all weights is clipped so that their global "
        "norm is no higher than this value.",
    ),
    BaseArg(
        "use_ema",
        "False",
        "Boolean. If `True`, an exponential moving average (EMA) of the weights is "
        "kept, and periodically written over them.",
    ),
    BaseArg(
        "ema_momentum",
        "0.99",
        "Float. The momentum of the EMA, only used if `use_ema=True`.",
    ),
    BaseArg(
        "ema_overwrite_frequency",
        "None",
        "Int or `None`. With `use_ema=True`, the weights are overwritten by their "
        "average every this many iterations (with `None`, at the end of `fit`).",
    ),
    BaseArg(
        "loss_scale_factor",
        "None",
        "Float or `None`. If a float, the loss is multiplied by it before the "
        "gradients are computed, and the gradients are divided by it.",
    ),
    BaseArg(
        "gradient_accumulation_steps",
        "None",
        "Int or `None`. If an int, the variables are updated every this many steps, "
        "with the average of the gradients since the last update.",
    ),
    BaseArg("name", "None", "String. The name of the optimizer."),
)

KINDS = {
    kind.name: kind
    for kind in (
        Kind(
            name="loss",
            subpackage="losses",
            base="keras.losses.Loss",
            summary="a keras.losses.Loss subclass",
            methods=("init", "call"),
            base_args=(
                BaseArg(
                    "reduction",
                    '"sum_over_batch_size"',
                    "Type of reduction to apply to "
                    'the loss: `"sum_over_batch_size"`, `"sum"`, `"mean"`, '
                    '`"mean_with_sample_weight"`, `"none"` or `None`.',
                ),
                _NAME,
                _DTYPE,
            ),
            base_attributes=frozenset(
                {"call", "dtype", "from_config", "get_config", "name", "reduction"}
            ),
            function=FunctionStyle(
                "y_true, y_pred", "One loss value per sample.", "loss={}"
            ),
        ),
        Kind(
            name="layer",
            subpackage="layers",
            base="keras.layers.Layer",
            summary="a keras.layers.Layer subclass",
            methods=("init", "build", "call", "compute_output_shape"),
            takes_kwargs=True,
            base_attributes=_LAYER_ATTRIBUTES,
            default_attributes=frozenset({"kernel"}),
        ),
        Kind(
            name="metric",
            subpackage="metrics",
            base="keras.metrics.Metric",
            summary="a keras.metrics.Metric subclass",
            methods=("init", "update_state", "result", "reset_state"),
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
            subpackage="regularizers",
            base="keras.regularizers.Regularizer",
            summary="a keras.regularizers.Regularizer subclass",
            methods=("init", "__call__"),
            base_attributes=frozenset({"from_config", "get_config"}),
            function=FunctionStyle(
                "x", "A scalar penalty for the weights `x`.", "kernel_regularizer={}"
            ),
        ),
        Kind(
            name="initializer",
            subpackage="initializers",
            base="keras.initializers.Initializer",
            summary="a keras.initializers.Initializer subclass",
            methods=("init", "__call__"),
            base_args=(
                BaseArg(
                    "seed",
                    "None",
                    "Integer seed, so that the values are reproducible. "
                    "With `None`, a seed is drawn once, when the initializer is created.",
                    forwarded=False,
                ),
            ),
            base_attributes=frozenset({"clone", "from_config", "get_config"}),
            function=FunctionStyle(
                "shape, dtype=None",
                "A tensor of the given shape and dtype.",
                "kernel_initializer={}",
            ),
        ),
        Kind(
            name="constraint",
            subpackage="constraints",
            base="keras.constraints.Constraint",
            summary="a keras.constraints.Constraint subclass",
            methods=("init", "__call__"),
            base_attributes=frozenset({"from_config", "get_config"}),
            function=FunctionStyle(
                "w",
                "The weights `w`, projected into the allowed set.",
                "kernel_constraint={}",
            ),
        ),
        Kind(
            name="activation",
            subpackage="activations",
            base="keras.layers.Layer",
            summary="an activation function (or, with --style class, a layer)",
            methods=("init", "call"),
            takes_kwargs=True,
            base_attributes=_LAYER_ATTRIBUTES,
            function=FunctionStyle(
                "x", "A tensor of the shape of `x`.", "activation={}"
            ),
            default_style="function",
        ),
        Kind(
            name="model",
            subpackage="models",
            base="keras.Model",
            summary="a keras.Model subclass with its own train_step",
            methods=("init", "build", "call", "train_step", "test_step"),
            takes_kwargs=True,
            base_attributes=_MODEL_ATTRIBUTES,
            default_attributes=frozenset({"dense"}),
        ),
        Kind(
            name="callback",
            subpackage="callbacks",
            base="keras.callbacks.Callback",
            summary="a keras.callbacks.Callback subclass, for fit(callbacks=[...])",
            methods=("init", *CALLBACK_HOOKS),
            optional_methods=frozenset(CALLBACK_HOOKS)
            - {"on_train_begin", "on_epoch_end"},
            base_attributes=_CALLBACK_ATTRIBUTES,
            default_attributes=frozenset({"epoch_losses"}),
        ),
        Kind(
            name="optimizer",
            subpackage="optimizers",
            base="keras.optimizers.Optimizer",
            summary="a keras.optimizers.Optimizer subclass with its own update_step",
            methods=("init", "build", "update_step"),
            base_args=_OPTIMIZER_ARGS,
            base_attributes=_OPTIMIZER_ATTRIBUTES,
            default_attributes=frozenset({"velocities"}),
        ),
    )
}


def kind_named(name: str) -> Kind:
    """The kind a command names, or a one-line error listing them."""
    if name not in KINDS:
        raise KgenError(f"unknown kind {name!r}; expected one of: {', '.join(KINDS)}")
    return KINDS[name]
