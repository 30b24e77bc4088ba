"""The test profile of a component: the data its generated tests feed it, and what they may
compare. Declared by `[component.test]` in a build spec or by `--input`, `--target`,
`--stochastic`, `--per-batch`, `--metric` and `--sample` on the command line; by default the
tests feed float inputs of shape (4,) and a float target of shape (1,), as most components
take.

Everything here is validated once and turned into the Python source the test templates show:
the arrays of `make_data`, the model's inputs and head, the compiled loss.
"""

import ast
import io
import math
import re
import tokenize
from dataclasses import dataclass, field
from typing import ClassVar

from kgen.bodies import check_code, check_depth
from kgen.errors import KgenError
from kgen.params import Param, check_value, parse_assignment, python_literal

BATCH = 32
FLOAT_DTYPES = ("float16", "float32", "float64")
INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8")
DTYPES = (*FLOAT_DTYPES, *INT_DTYPES, "bool")
TARGETS = "regression[:N] | binary | labels:K | onehot:K | none"
KEYS = (
    "inputs",
    "target",
    "stochastic",
    "per_sample",
    "metrics",
    "samples",
    "helpers",
    "compile",
)
_DIMS = re.compile(r"[1-9][0-9]{0,4}(,[1-9][0-9]{0,4}){0,4}\Z")
_METRIC = re.compile(r"[a-z][a-z0-9_]*\Z")
_COUNT = re.compile(r"[0-9]{1,20}\Z")  # ASCII digits: int() would take others too
# The exclusive upper bound each dtype holds; a float16 above 65504 is inf.
_HIGHEST = {"int8": 2**7, "int16": 2**15, "int32": 2**31, "int64": 2**63}
_HIGHEST |= {"uint8": 2**8, "float16": 65504}
_VALUES = 100_000  # at most, in one sample of the test data: tiny models
ID_FEATURES = 8  # the width of a default body's lookup table for ids


@dataclass(frozen=True)
class Input:
    """One input of the test model: its shape without the batch axis, its dtype, and for
    integer ids an exclusive upper bound (for floats, one makes them uniform in [0, HIGH):
    pixels, probabilities)."""

    shape: tuple[int, ...]
    dtype: str = "float32"
    high: int | None = None

    @property
    def text(self) -> str:
        """As the user writes it: `12:int32:1000`."""
        dims = ",".join(map(str, self.shape))
        return ":".join([dims, self.dtype] + ([str(self.high)] if self.high else []))

    @property
    def array(self) -> str:
        """numpy source of a batch of it, drawn from `rng`."""
        size = python_literal((BATCH, *self.shape))
        if self.dtype in FLOAT_DTYPES and self.high:
            return f'rng.uniform(0, {self.high}, size={size}).astype("{self.dtype}")'
        if self.dtype in FLOAT_DTYPES:
            return f'rng.normal(size={size}).astype("{self.dtype}")'
        high = 2 if self.dtype == "bool" else self.high
        return f'rng.integers(0, {high}, size={size}).astype("{self.dtype}")'

    @property
    def keras_input(self) -> str:
        dtype = "" if self.dtype == "float32" else f', dtype="{self.dtype}"'
        return f"keras.Input(shape={python_literal(self.shape)}{dtype})"

    @property
    def ids(self) -> int | None:
        """For integer or bool inputs, how many ids they take: the rows of the lookup
        table a default body gives them."""
        if self.dtype == "bool":
            return 2
        return self.high if self.dtype in INT_DTYPES else None

    @property
    def features(self) -> int:
        """Its values a sample, as a default body flattens them: an id's row of the
        lookup table, ID_FEATURES wide, for ids."""
        return math.prod(self.shape) * (ID_FEATURES if self.ids else 1)


@dataclass(frozen=True)
class Target:
    """What the test model learns: its head, its loss and the targets make_data draws."""

    kind: str = "regression"  # regression | binary | labels | onehot | none
    width: int = 1  # outputs of a regression, classes of the others

    @property
    def text(self) -> str:
        if self.kind in ("binary", "none"):
            return self.kind
        return f"{self.kind}:{self.width}"

    @property
    def head(self) -> str:
        """The model's last layer (an unsupervised model's output is its own)."""
        if self.kind in ("regression", "none"):
            return f"keras.layers.Dense({self.width})"
        if self.kind == "binary":
            return 'keras.layers.Dense(1, activation="sigmoid")'
        return f'keras.layers.Dense({self.width}, activation="softmax")'

    @property
    def loss(self) -> str | None:
        return {
            "regression": "mse",
            "binary": "binary_crossentropy",
            "labels": "sparse_categorical_crossentropy",
            "onehot": "categorical_crossentropy",
        }.get(self.kind)

    @property
    def metric(self) -> str | None:
        """The compiled metric a model's tests look for."""
        return {"regression": "mae", "none": None}.get(self.kind, "accuracy")

    @property
    def array(self) -> str:
        """numpy source of a batch of targets, drawn from `rng`."""
        if self.kind == "regression":
            return f'rng.normal(size=({BATCH}, {self.width})).astype("float32")'
        if self.kind == "binary":
            return f'rng.integers(0, 2, size=({BATCH}, 1)).astype("float32")'
        if self.kind == "labels":
            return f'rng.integers(0, {self.width}, size=({BATCH},)).astype("int32")'
        if self.kind == "onehot":
            eye = f'np.eye({self.width}, dtype="float32")'
            return f"{eye}[rng.integers(0, {self.width}, size={BATCH})]"
        return "None"

    @property
    def predictions(self) -> str:
        """numpy source of a batch of what a model with this head predicts."""
        rng = "np.random.default_rng(1)"
        if self.kind == "regression":
            return f'{rng}.normal(size=({BATCH}, {self.width})).astype("float32")'
        if self.kind == "binary":
            return f'{rng}.uniform(0.05, 0.95, size=({BATCH}, 1)).astype("float32")'
        logits = f'{rng}.normal(size=({BATCH}, {self.width})).astype("float32")'
        return f"keras.ops.convert_to_numpy(keras.ops.softmax({logits}))"


@dataclass(frozen=True)
class TestProfile:
    """The data and traits the generated tests take for one component."""

    __test__ = False  # not a pytest class, whatever the folder it is imported in

    inputs: tuple[Input, ...] = (Input((4,)),)
    target: Target = Target()
    stochastic: bool = False  # random in training: compare in inference mode only
    per_sample: bool = True  # a loss: one value per sample (False: one per batch)
    metrics: tuple[str, ...] = ("loss",)  # the history keys training must report
    samples: dict[str, object] = field(default_factory=dict)  # test values of params
    helpers: str = (
        ""  # code of the test module's own, such as a function making a sample
    )
    compile: str = ""  # a model's own compile arguments (a GAN's two optimizers)
    id_features: ClassVar[int] = ID_FEATURES

    @property
    def replaces_optimizer(self) -> bool:
        """Its compile names `optimizer`: compiled with it, not with the tests' own."""
        return "optimizer" in self._compile_keywords

    @property
    def own_optimizers(self) -> bool:
        """Whether the model's own compile arguments name optimizers of its own (a GAN's
        d_optimizer): then the tests' optimizer is not what trains it, and the
        mixed-precision checks, which go through that optimizer, do not apply."""
        return any("optimizer" in keyword for keyword in self._compile_keywords)

    @property
    def _compile_keywords(self) -> list[str]:
        """The keywords of the model's own compile arguments (keywords only: checked)."""
        if not self.compile:
            return []
        call = ast.parse(f"compile({self.compile})", mode="eval").body
        return [keyword.arg for keyword in call.keywords]

    @property
    def flat_inputs(self) -> bool:
        """One float input of one axis: no Flatten needed before the head."""
        return (
            len(self.inputs) == 1
            and len(self.inputs[0].shape) == 1
            and self.inputs[0].dtype in FLOAT_DTYPES
        )

    def table_of(self, index: int) -> str:
        """The name of the lookup table a default body makes for the ids of input
        `index`."""
        return "embeddings" if len(self.inputs) == 1 else f"embeddings_{index}"

    @property
    def tables(self) -> list[tuple[int, str, int]]:
        """(input index, name, rows) of the lookup table a default body makes for each
        input of ids, ID_FEATURES wide."""
        return [
            (index, self.table_of(index), each.ids)
            for index, each in enumerate(self.inputs)
            if each.ids
        ]

    @property
    def graph_features(self) -> str:
        """Source of what a default model's head takes from `inputs`: each input's
        features (ids through an Embedding), flattened and joined; or `inputs` itself,
        one float input of one axis."""
        if self.flat_inputs:
            return "inputs"
        items = []
        for index, each in enumerate(self.inputs):
            source = "inputs" if len(self.inputs) == 1 else f"inputs[{index}]"
            if each.ids:
                source = f"keras.layers.Embedding({each.ids}, {ID_FEATURES})({source})"
            items.append(f"keras.layers.Flatten()({source})")
        if len(items) == 1:
            return items[0]
        return f"keras.layers.Concatenate()([{', '.join(items)}])"

    @property
    def example_inputs(self) -> str:
        """Source of two samples of ones, as a docstring example calls the component."""
        items = [
            f"keras.ops.ones({python_literal((2, *each.shape))}"
            + ("" if each.dtype == "float32" else f', dtype="{each.dtype}"')
            + ")"
            for each in self.inputs
        ]
        return items[0] if len(items) == 1 else "[" + ", ".join(items) + "]"

    @property
    def x_source(self) -> str:
        arrays = [each.array for each in self.inputs]
        return arrays[0] if len(arrays) == 1 else "[" + ", ".join(arrays) + "]"

    @property
    def keras_inputs(self) -> str:
        items = [each.keras_input for each in self.inputs]
        return items[0] if len(items) == 1 else "[" + ", ".join(items) + "]"

    @property
    def input_shapes(self) -> str:
        """The shapes with the batch axis, as `build` and `compute_output_shape` take them."""
        shapes = [python_literal((None, *each.shape)) for each in self.inputs]
        return shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]"

    @property
    def description(self) -> list[str]:
        """What the test module's docstring says of the profile: the data, and each
        comparison a trait changes, with the reason."""
        said = []
        if self.inputs != TestProfile.inputs or self.target != Target():
            inputs = ", ".join(each.text for each in self.inputs)
            said.append(f"Data: inputs {inputs}; target {self.target.text}.")
        if self.stochastic:
            said.append(
                "Random in training: outputs are compared in inference mode; the XLA "
                "and two-device checks compare inference outputs on the same weights, "
                "since each run draws its own randomness."
            )
        if not self.per_sample:
            said.append(
                "Computed per batch, not per sample: there is no per-sample shape, "
                "reduction, sample weight or sum over batches to test. On two devices "
                "each computes it on its part of the batch: a loss is compared with one "
                "device doing the same, other metrics are only checked finite."
            )
        if self.metrics != ("loss",):
            said.append(f"Training reports {', '.join(self.metrics)}.")
        if self.own_optimizers:
            said.append(
                "Compiled with optimizers of its own: the mixed-precision checks, which "
                "go through compile's optimizer, do not apply."
            )
        elif self.compile:
            said.append(
                "Compiled with arguments of its own, and the tests' optimizer: the "
                "mixed-precision checks apply."
            )
        return said

    def to_table(self) -> dict[str, object]:
        """The profile as a build spec's `[component.test]` holds it: only what differs
        from the default."""
        table: dict[str, object] = {}
        if self.inputs != TestProfile.inputs:
            table["inputs"] = [each.text for each in self.inputs]
        if self.target != Target():
            table["target"] = self.target.text
        if self.stochastic:
            table["stochastic"] = True
        if not self.per_sample:
            table["per_sample"] = False
        if self.metrics != ("loss",):
            table["metrics"] = list(self.metrics)
        if self.samples:
            table["samples"] = dict(self.samples)
        if self.helpers:
            table["helpers"] = self.helpers
        if self.compile:
            table["compile"] = self.compile
        return table


DEFAULT_PROFILE = TestProfile()


def parse_input(text: object) -> Input:
    where = f"--input {text!r}"
    if not isinstance(text, str):
        raise KgenError(f"{where}: expected SHAPE:DTYPE[:HIGH], such as 12:int32:1000")
    dims, _, rest = text.strip().partition(":")
    dtype, _, high = rest.partition(":")
    if "" in text.strip().split(":"):  # `4:float32:`: no part may be left empty
        raise KgenError(f"{where}: expected SHAPE:DTYPE[:HIGH], such as 12:int32:1000")
    dtype = dtype or "float32"
    if not _DIMS.match(dims):
        raise KgenError(
            f"{where}: the shape must be 1 to 5 positive sizes joined by ',', "
            "without the batch axis, such as 12 or 10,8"
        )
    if dtype not in DTYPES:
        raise KgenError(
            f"{where}: unknown dtype {dtype!r}; expected one of: {', '.join(DTYPES)}"
        )
    shape = tuple(int(d) for d in dims.split(","))
    if math.prod(shape) > _VALUES:
        raise KgenError(
            f"{where}: at most {_VALUES:,} values a sample: the tests' models are tiny"
        )
    if dtype in INT_DTYPES:
        if not _COUNT.match(high) or int(high) < 1:
            raise KgenError(
                f"{where}: integer inputs need an exclusive upper bound for their ids, "
                f"such as {dims}:{dtype}:1000"
            )
    elif high and dtype == "bool":
        raise KgenError(f"{where}: a bool input takes no upper bound")
    elif high and (not _COUNT.match(high) or int(high) < 1):
        raise KgenError(
            f"{where}: a float input's bound is a positive integer: uniform in [0, HIGH)"
        )
    if high and int(high) > _HIGHEST.get(dtype, int(high)):
        raise KgenError(
            f"{where}: a bound past what {dtype} holds; at most {_HIGHEST[dtype]}"
        )
    return Input(shape, dtype, int(high) if high else None)


def parse_target(text: object) -> Target:
    where = f"--target {text!r}"
    if not isinstance(text, str):
        raise KgenError(f"{where}: expected one of: {TARGETS}")
    kind, colon, width = text.strip().partition(":")
    if kind in ("binary", "none") and not colon:
        return Target(kind)
    if kind == "regression" and not colon:
        return Target()
    if kind in ("regression", "labels", "onehot") and _COUNT.match(width):
        least = 1 if kind == "regression" else 2
        if least <= int(width) <= 10_000:
            return Target(kind, int(width))
        raise KgenError(
            f"{where}: {kind} needs {least} to 10000 {'outputs' if least == 1 else 'classes'}"
        )
    raise KgenError(f"{where}: expected one of: {TARGETS}")


def parse_sample(text: str) -> tuple[str, object]:
    """`--sample groups=2`: a param's name and its test value, read as a literal; text
    that is none stays text (a string, or the code making a nested object), checked
    against the param's type with the rest of the profile."""
    return parse_assignment(text, "--sample")


def check_table(table: dict[str, object]) -> None:
    """What of a test profile holds whatever the kind: checked before any component is
    known (kgen check's options)."""
    for text in table.get("inputs", ()):
        parse_input(text)
    if "target" in table:
        parse_target(table["target"])
    _checked_metrics(table.get("metrics", ["loss"]))


def make_profile(
    table: dict[str, object] | None,
    kind: str,
    style: str,
    params: tuple[Param, ...],
    bodies: dict[str, str],
    in_a_model: bool = True,
) -> TestProfile:
    """The validated profile of a component, from a `[component.test]` table (the command
    line's options come as the same table). `in_a_model`: the kind's tests put it into
    the test model the profile describes (a callback's and an optimizer's bring their
    own)."""
    table = dict(table or {})
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise KgenError(
            f"test: unknown keys {', '.join(map(repr, unknown))}; allowed: "
            f"{', '.join(KEYS)}"
        )
    inputs = table.get("inputs", [i.text for i in DEFAULT_PROFILE.inputs])
    if not isinstance(inputs, list) or not inputs:
        raise KgenError("test: inputs must be a list of SHAPE:DTYPE[:HIGH] strings")
    for flag in ("stochastic", "per_sample"):
        if not isinstance(table.get(flag, False), bool):
            raise KgenError(f"test: {flag} must be true or false")
    metrics = _checked_metrics(table.get("metrics", ["loss"]))
    samples = table.get("samples", {})
    if not isinstance(samples, dict):
        raise KgenError("test: samples must be a table of NAME = VALUE")
    profile = TestProfile(
        inputs=tuple(map(parse_input, inputs)),
        target=parse_target(table.get("target", "regression")),
        stochastic=table.get("stochastic", False),
        per_sample=table.get("per_sample", True),
        metrics=tuple(metrics),
        samples=_checked_samples(samples, params),
        helpers=_helpers(table.get("helpers", "")),
        compile=_compile_arguments(table.get("compile"), kind),
    )
    if not in_a_model and (profile.inputs, profile.target) != (
        DEFAULT_PROFILE.inputs,
        DEFAULT_PROFILE.target,
    ):
        raise KgenError(
            f"--input, --target: the {kind}'s tests train a model of their own, on "
            "their own data"
        )
    _check_fits_the_kind(profile, kind, style, bodies)
    return profile


def _checked_metrics(metrics: object) -> list[str]:
    if (
        not isinstance(metrics, list)
        or not metrics
        or not all(isinstance(m, str) and _METRIC.match(m) for m in metrics)
    ):
        raise KgenError("test: metrics must be a list of metric names, such as d_loss")
    return metrics


def _checked_samples(
    samples: dict[str, object], params: tuple[Param, ...]
) -> dict[str, object]:
    by_name = {param.name: param for param in params}
    checked = {}
    for name, value in samples.items():
        if name not in by_name:
            known = ", ".join(by_name) or "none"
            raise KgenError(f"--sample {name!r}: no such param (the params: {known})")
        ptype, where = by_name[name].type, f"--sample {name}"
        if ptype.nested:
            checked[name] = _object_code(value, ptype.name, where)
        elif value is ...:
            raise KgenError(f"{where}: a test value, not ... (required)")
        else:
            checked[name] = check_value(value, ptype, where)
    return checked


def _helpers(code: object) -> str:
    if not isinstance(code, str):
        raise KgenError("test: helpers must be a string of Python code")
    if not code.strip():
        return ""
    code = check_code(code, "test: helpers")
    _compiles(code, "test: helpers")
    return code


def _compiles(code: str, where: str) -> None:
    """Refuse what parses but cannot compile where it will stand (a repeated keyword,
    `return` or `await` outside a function, a comment swallowing a closing bracket)."""
    try:
        compile(code, where, "exec", dont_inherit=True)
    except SyntaxError as error:
        raise KgenError(
            f"{where} does not compile where it stands: {error.msg}"
        ) from None


def _compile_arguments(arguments: object, kind: str) -> str:
    """A model's own compile arguments: keywords only, on one line (None: not given)."""
    where = "test: compile"
    if arguments is None:
        return ""
    if not isinstance(arguments, str) or "\n" in arguments.strip():
        raise KgenError(f"{where}: keyword arguments on one line, such as loss_fn=...")
    arguments = arguments.strip()
    if not arguments:
        raise KgenError(
            f"{where} is empty; leave it out for the tests' own compile (their "
            "optimizer and the target's loss), or give keyword arguments, such as "
            "optimizer=keras.optimizers.Adam(0.001)"
        )
    if kind != "model":
        raise KgenError(f"{where}: only a model brings its own compile")
    check_depth(f"compile({arguments})", where)
    try:
        call = ast.parse(f"compile({arguments})", mode="eval").body
    except SyntaxError as error:
        raise KgenError(f"{where}: does not parse: {error.msg}") from None
    if (
        not isinstance(call, ast.Call)
        or call.args
        or any(k.arg is None for k in call.keywords)
    ):
        raise KgenError(f"{where}: keyword arguments only, such as loss_fn=...")
    if "jit_compile" in {k.arg for k in call.keywords}:
        raise KgenError(f"{where}: jit_compile is the tests' own (their XLA check)")
    check_code(f"f({arguments})", where)
    _one_line_of_code(arguments, where)
    _compiles(f"model.compile({arguments}, jit_compile=j)", where)
    return arguments


def _object_code(value: object, type_name: str, where: str) -> str:
    """The code that makes a nested param's test value: one Python expression."""
    if not isinstance(value, str) or "\n" in value or "\r" in value:
        raise KgenError(
            f"{where}: a {type_name} param's test value is code on one line, such as "
            f"{_EXAMPLE_OBJECTS[type_name]!r}"
        )
    check_depth(value.strip(), where)
    try:
        ast.parse(value.strip(), mode="eval")
    except SyntaxError as error:
        raise KgenError(
            f"{where}: {value!r} is not a Python expression: {error.msg}"
        ) from None
    check_code(value, where)
    _one_line_of_code(value, where)
    _compiles(f"ARGS = {{'value': {value.strip()}}}", where)
    return value.strip()


def _one_line_of_code(code: str, where: str) -> None:
    """Code kgen writes inside a line of its own: a comment would swallow the rest."""
    tokens = tokenize.generate_tokens(io.StringIO(code).readline)
    if any(token.type == tokenize.COMMENT for token in tokens):
        raise KgenError(f"{where}: no comment in one line of code; it ends kgen's line")


_EXAMPLE_OBJECTS = {
    "layer": "keras.layers.Dense(8)",
    "list[layer]": "[keras.layers.Dense(8), keras.layers.Dense(4)]",
    "model": "keras.Sequential([keras.layers.Dense(8)])",
    "loss": "keras.losses.Huber()",
    "metric": "keras.metrics.AUC()",
    "optimizer": "keras.optimizers.Adam(0.01)",
}


# What a profile asks of the component's kind, and of the default bodies it keeps.
def _check_fits_the_kind(
    profile: TestProfile, kind: str, style: str, bodies: dict[str, str]
) -> None:
    takes_data = kind in ("layer", "model")
    one_float = len(profile.inputs) == 1 and profile.inputs[0].dtype in FLOAT_DTYPES
    if not takes_data and not one_float:
        raise KgenError(
            f"--input: the {kind}'s tests put it inside a model whose first layer is Dense: "
            "one float input (several inputs and integer ids are for layers and models)"
        )
    # A default body makes a lookup table for ids: one the user's own bodies replace.
    own = {"layer": {"build", "call"}, "model": {"init", "call"}}.get(kind)
    too_many = [each for each in profile.inputs if (each.ids or 0) > _VALUES]
    if too_many and not (own and own <= set(bodies)):
        raise KgenError(
            f"--input {too_many[0].text!r}: the default body's lookup table has a row "
            f"for each id, at most {_VALUES:,}; give {' and '.join(sorted(own or ()))} "
            "bodies for more (a build spec's bodies)"
        )
    own_steps = {"train_step", "test_step"} <= set(bodies)
    if profile.target.kind == "none" and not (kind == "model" and own_steps):
        raise KgenError(
            "--target none: only a model whose own train_step and test_step compute "
            "its loss trains without targets; give both bodies"
        )
    if profile.stochastic and not takes_data:
        raise KgenError("--stochastic: only a layer or a model is random in training")
    if not profile.per_sample and kind not in ("loss", "metric", "model"):
        raise KgenError(
            "--per-batch: only a loss, a metric or a model's reported metrics are "
            "computed per batch"
        )
    if not profile.per_sample and kind == "metric" and "update_state" not in bodies:
        raise KgenError(
            "--per-batch: the default update_state sums over batches; give "
            "update_state (and its reference) for a metric of each batch"
        )
    if (
        not profile.per_sample
        and kind == "loss"
        and not {"call", "function"} & set(bodies)
    ):
        raise KgenError(
            "--per-batch: the default call gives one loss per sample; give call "
            "(and its reference) for a loss of the whole batch"
        )
    if profile.metrics != ("loss",) and not (
        kind == "model" and "train_step" in bodies
    ):
        raise KgenError(
            "--metric: only a model's own train_step reports metrics of its own; give "
            "its body"
        )
