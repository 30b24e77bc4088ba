"""Parse `--param NAME[:TYPE][=DEFAULT]` into a validated `Param`.

DEFAULT is read with `ast.literal_eval`, never evaluated, and is written back into generated code
with `repr`, so whatever the user types ends up as a plain literal. `=...` (the Ellipsis, as in
pydantic) makes a required param, with no default.
"""

import ast
import keyword
import math
import re
from dataclasses import dataclass, replace

from kgen.errors import KgenError
from kgen.identifiers import IDENTIFIERS
from kgen.kinds import Kind
from kgen.names import Names

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


_UNREADABLE = object()


@dataclass(frozen=True)
class ParamType:
    name: str  # as written after the colon
    doc: str  # how a Keras docstring names it
    implicit_default: object  # the default when the user gives none
    keras_module: str | None = None  # "activations" for the Keras object types
    item: type | None = None  # the element type of a list type
    # A Keras object held whole ("layer", "optimizer"...): kept as given, saved with
    # serialize_keras_object, rebuilt in from_config.
    nested: str | None = None
    scalar_too: bool = False  # a list type that also takes one item (an axis or axes)

    @property
    def is_list(self) -> bool:
        return self.item is not None


TYPES = {
    t.name: t
    for t in (
        ParamType("int", "Integer", 1),
        ParamType("float", "Float", 1.0),
        ParamType("bool", "Boolean", False),
        ParamType("str", "String", ""),
        ParamType("list[int]", "List of integers", [], item=int),
        ParamType("list[float]", "List of floats", [], item=float),
        ParamType("list[str]", "List of strings", [], item=str),
        ParamType(
            "int|list[int]",
            "Integer or list of integers",
            -1,
            item=int,
            scalar_too=True,
        ),
        ParamType(
            "activation",
            "Activation function, by name or as a callable",
            None,
            keras_module="activations",
        ),
        ParamType(
            "initializer",
            "Initializer, by name, config or instance",
            "glorot_uniform",
            keras_module="initializers",
        ),
        ParamType(
            "regularizer",
            "Regularizer, by name, config or instance",
            None,
            keras_module="regularizers",
        ),
        ParamType(
            "constraint",
            "Constraint, by name, config or instance",
            None,
            keras_module="constraints",
        ),
        ParamType("layer", "A `keras.layers.Layer` instance", ..., nested="layer"),
        ParamType(
            "list[layer]",
            "List of `keras.layers.Layer` instances",
            ...,
            nested="layer",
            item=object,
        ),
        ParamType("model", "A `keras.Model` instance", ..., nested="model"),
        ParamType("loss", "A `keras.losses.Loss` instance", ..., nested="loss"),
        ParamType("metric", "A `keras.metrics.Metric` instance", ..., nested="metric"),
        ParamType(
            "optimizer",
            "A `keras.optimizers.Optimizer` instance",
            ...,
            nested="optimizer",
        ),
    )
}

# The small real objects the tests give a nested param, named, so that two made alike
# have the same config.
_NESTED_SAMPLES = {
    "layer": 'keras.layers.Dense(4, name="inner")',
    "model": (
        'keras.Sequential([keras.layers.Dense(4, name="inner_dense")], name="inner")'
    ),
    "loss": "keras.losses.MeanSquaredError()",
    "metric": "keras.metrics.MeanAbsoluteError()",
    "optimizer": "keras.optimizers.SGD(learning_rate=0.05, momentum=0.5)",
}

# A value other than the default, per type, so that generated tests catch a `get_config` that
# forgets a parameter or writes back its default.
_OTHER_IDENTIFIERS = {
    "activations": ("tanh", "relu"),
    "initializers": ("he_normal", "glorot_uniform"),
    "regularizers": ("l2", "l1"),
    "constraints": ("max_norm", "non_neg"),
}


@dataclass(frozen=True)
class Param:
    name: str
    type: ParamType
    default: object
    doc: str = ""

    @property
    def required(self) -> bool:
        return self.default is ...

    def sample_at(self, rank: int) -> object:
        """A valid value other than the default, for tests whose inputs have `rank` axes
        (the batch's included); for a required param, a valid one; for a nested object,
        the code that makes one."""
        d, t = self.default, self.type
        if t.nested:
            made = _NESTED_SAMPLES[t.nested]
            if t.is_list:
                return [made.replace('"inner"', f'"inner_{i}"') for i in (0, 1)]
            return made
        if d is ...:  # required: a value other than the type's usual default
            d = t.implicit_default
        if t.keras_module:
            return next(v for v in _OTHER_IDENTIFIERS[t.keras_module] if v != d)
        if t.name == "bool":
            return not d
        is_int = t.name == "int" or (t.scalar_too and isinstance(d, int))
        if is_int and "axis" in self.name:
            return _other_axis(d, rank)
        if is_int:
            return _other_int(d)
        if t.name == "float":
            return 0.5 if not d else d / 2  # finite, of the same sign, never past d
        return d  # strings and lists: the user's code may accept only certain values

    def sample_source(self, rank: int = 2) -> str:
        """The test value as Python source: a literal, or the code making an object."""
        sample = self.sample_at(rank)
        if self.type.nested and isinstance(sample, list):
            return "[" + ", ".join(sample) + "]"
        return sample if self.type.nested else python_literal(sample)

    @property
    def stored(self) -> str:
        """What the constructor keeps on self: a Keras object resolved, a list copied."""
        name, t = self.name, self.type
        if t.keras_module:
            return f"keras.{t.keras_module}.get({name})"
        copy = f"list({name})"
        if t.scalar_too:
            copy = f"list({name}) if isinstance({name}, (list, tuple)) else {name}"
        elif t.is_list and self.default is None:
            copy = f"None if {name} is None else list({name})"
        return copy if t.is_list else name

    @property
    def config_value(self) -> str:
        """What get_config writes for it: plain values, Keras objects serialized."""
        if self.type.keras_module:
            return f"keras.{self.type.keras_module}.serialize(self.{self.name})"
        if self.type.nested:
            return f"keras.saving.serialize_keras_object(self.{self.name})"
        return f"self.{self.name}"

    def config_expected(self, args: str) -> str:
        """The config value a test expects when `args` gave the param."""
        given = f"{args}[{python_literal(self.name)}]"
        if self.type.keras_module:
            module = f"keras.{self.type.keras_module}"
            return f"{module}.serialize({module}.get({given}))"
        if self.type.nested:
            return f"keras.saving.serialize_keras_object({given})"
        return given

    @property
    def default_source(self) -> str:
        """The default as it stands in a signature: lists become tuples (immutable defaults)."""
        if self.type.is_list and isinstance(self.default, list):
            return python_literal(tuple(self.default))
        return python_literal(self.default)

    @property
    def argument(self) -> str:
        """The param as a signature takes it: `threshold=1.0`, or `units` when required."""
        return self.name if self.required else f"{self.name}={self.default_source}"


def _other_int(default: int | None) -> int:
    """Half the default, rounded towards zero: it keeps the sign, never grows, and still
    divides an even default (groups of 32 features, heads of 64 units: 16, 32). 1 and -1
    step away, 0 and None give small positive values."""
    if default is None:
        return 2
    if abs(default) > 1:
        return default // 2 if default > 0 else -(-default // 2)
    return 2 * default or 1


def _other_axis(default: int | None, rank: int) -> int:
    """The same feature axis spelled the other way (-1 and rank - 1), so that it stays
    valid for the declared inputs; the batch axis 0, or an axis past them, becomes the
    last one."""
    if default is not None and 0 < default < rank:
        return default - rank
    if default is not None and -rank < default < 0:
        return default + rank
    return -1


def python_literal(value: object) -> str:
    """`repr(value)` as black writes it: strings in double quotes where it can, and no
    `+` in a float's exponent (`1e16`, not `1e+16`)."""
    if isinstance(value, list):
        return "[" + ", ".join(map(python_literal, value)) + "]"
    if isinstance(value, tuple):
        items = ", ".join(map(python_literal, value))
        return f"({items},)" if len(value) == 1 else f"({items})"
    source = repr(value)
    if isinstance(value, float):
        return source.replace("e+", "e")
    if isinstance(value, str) and source.startswith("'") and '"' not in value:
        source = '"' + source[1:-1].replace("\\'", "'") + '"'
    return source


def parse_param(spec: str, doc: str = "") -> Param:
    text = spec.strip()
    head, has_default, raw_default = text.partition("=")
    name, has_type, type_name = head.partition(":")
    name, type_name, raw_default = name.strip(), type_name.strip(), raw_default.strip()
    where = f"--param {spec!r}"
    if not _NAME.match(name):
        raise KgenError(
            f"{where}: {name!r} is not a parameter name; use letters, digits and "
            "underscores, starting with a letter"
        )
    if keyword.iskeyword(name):
        raise KgenError(f"{where}: {name!r} is a Python keyword")
    if has_type and type_name not in TYPES:
        raise KgenError(
            f"{where}: unknown type {type_name!r}; expected one of: {', '.join(TYPES)}"
        )
    if has_default and not raw_default:
        raise KgenError(f"{where}: nothing after '='; give a default or leave out '='")
    ptype = TYPES[type_name] if has_type else None
    if not has_default:
        ptype = ptype or TYPES["float"]
        return Param(name, ptype, ptype.implicit_default, doc)
    value = read_literal(raw_default, ptype, where)
    if value is ... and ptype is None:
        raise KgenError(f"{where}: a required param needs a type: {name}:TYPE=...")
    if ptype is None:
        ptype = _infer_type(value, raw_default, where)
    return Param(name, ptype, check_value(value, ptype, where), doc)


def read_literal(raw: str, ptype: ParamType | None, where: str) -> object:
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        value = _UNREADABLE
    if (
        ptype is not None
        and ptype.name == "str"
        and not isinstance(value, str | None)
        and value is not ...
    ):
        return raw  # `mode:str=sum`, `note:str=any text`: the text itself
    if value is not _UNREADABLE:
        return value
    if ptype is not None and ptype.keras_module and _WORD.match(raw):
        return raw  # `activation:activation=relu`
    hint = " (quote a string, e.g. name='text')" if _WORD.match(raw) else ""
    raise KgenError(f"{where}: default {raw!r} is not a Python literal{hint}")


def _infer_type(value: object, raw: str, where: str) -> ParamType:
    if isinstance(value, bool):
        return TYPES["bool"]
    if isinstance(value, int):
        return TYPES["int"]
    if isinstance(value, float):
        return TYPES["float"]
    if isinstance(value, str):
        return TYPES["str"]
    if isinstance(value, (list, tuple)) and value:
        kinds = {type(v) for v in value}
        if kinds == {str}:
            return TYPES["list[str]"]
        if kinds == {int}:
            return TYPES["list[int]"]
        if kinds <= {int, float}:
            return TYPES["list[float]"]
    raise KgenError(f"{where}: cannot infer a type from {raw!r}; write NAME:TYPE={raw}")


def check_value(value: object, ptype: ParamType, where: str) -> object:
    if value is None or value is ...:
        return value
    if ptype.nested:
        raise KgenError(
            f"{where}: a {ptype.name} param defaults to None or is required (=...); "
            f"its test value comes from samples"
        )
    if ptype.keras_module:
        known = IDENTIFIERS[ptype.keras_module]
        if value not in known:
            raise KgenError(
                f"{where}: {value!r} is not a Keras {ptype.name}; expected None or one "
                f"of: {', '.join(known)}"
            )
        return value
    if ptype.scalar_too and not isinstance(value, (list, tuple)):
        return _check_scalar(value, "int", where)
    if ptype.is_list:
        if not isinstance(value, (list, tuple)):
            raise KgenError(f"{where}: {value!r} is not of type {ptype.name}")
        return [_check_scalar(v, ptype.item.__name__, where) for v in value]
    return _check_scalar(value, ptype.name, where)


def _check_scalar(value: object, type_name: str, where: str) -> object:
    if type_name == "float" and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    expected = {"int": int, "float": float, "bool": bool, "str": str}[type_name]
    if type(value) is not expected:
        raise KgenError(f"{where}: {value!r} is not of type {type_name}")
    if type_name == "float" and not math.isfinite(value):
        raise KgenError(f"{where}: {value!r} is not a finite float")
    return value


def restate_base_args(kind: Kind, params: list[Param]) -> tuple[Kind, list[Param]]:
    """A param that restates a base argument of its type (`seed:int=None` on an
    initializer) becomes that argument, with the param's default and doc: the signature
    keeps one `seed`."""
    restating = {
        arg.name: param
        for arg in kind.base_args
        for param in params
        if param.name == arg.name and param.type.name == arg.restated_as
    }
    if not restating:
        return kind, params
    base_args = tuple(
        (
            replace(
                arg,
                default=restating[arg.name].default_source,
                doc=restating[arg.name].doc or arg.doc,
            )
            if arg.name in restating
            else arg
        )
        for arg in kind.base_args
    )
    others = [p for p in params if p.name not in restating]
    return replace(kind, base_args=base_args), others


def check_param_names(
    params: list[Param], kind: Kind, style: str, names: Names, *, checked: bool = False
) -> None:
    """Each param name once, and none that the base class or the generated code takes;
    for a class kgen checks but did not write (`checked`), an attribute or method name is
    its own: EinsumDense's output_shape, which a generated layer would shadow."""
    seen = set()
    for param in params:
        if param.name in seen:
            raise KgenError(f"--param {param.name!r} is given twice")
        seen.add(param.name)
        clash = (
            _function_clash(param.name, kind, names)
            if style == "function"
            else _class_clash(param.name, kind, checked)
        )
        if clash:
            raise KgenError(
                f"--param {param.name!r} clashes with {clash}; choose another name"
            )


def _class_clash(name: str, kind: Kind, checked: bool = False) -> str | None:
    for arg in kind.base_args:
        if arg.name == name:
            hint = f" (as {name}:{arg.restated_as} it sets its default)" * bool(
                arg.restated_as
            )
            return f"the base argument {name} of {kind.base}{hint}"
    if checked:  # no class is generated: the names below are the class's own
        return None
    if name in kind.base_attributes:
        return f"the attribute {name} of {kind.base}"
    if name in kind.default_attributes:
        return f"self.{name}, which the generated code sets"
    if name in kind.methods:
        return f"the method {name} that the generated class defines"
    if name in kind.reserved:
        return f"{name}, a name the generated code uses"
    return None


def _function_clash(name: str, kind: Kind, names: Names) -> str | None:
    functions = (names.module, f"make_{names.module}")
    if name in functions:
        return f"the function {name} that the module defines"
    if name in {a.split("=")[0].strip() for a in kind.function.signature.split(",")}:
        return f"the argument {name} of the function {names.module}"
    if name in kind.function_reserved(functions):
        return f"{name}, a name the generated code uses"
    return None


def parse_assignment(text: str, option: str) -> tuple[str, object]:
    """`NAME=VALUE` from the command line (`--sample`, `--base`): VALUE read as a literal,
    or kept as text when it is none (`reduction=none`), for the caller to check."""
    name, equals, raw = text.partition("=")
    if not equals or not name.strip():
        raise KgenError(f"{option} {text!r}: expected NAME=VALUE")
    try:
        return name.strip(), read_literal(raw.strip(), None, f"{option} {text!r}")
    except KgenError:
        return name.strip(), raw.strip()


def with_base_defaults(kind: Kind, style: str, defaults: dict[str, object]) -> Kind:
    """The kind with the defaults of base arguments a component changes (`--base
    reduction=none`), each checked against what the base class accepts."""
    if not defaults:
        return kind
    by_name = {arg.name: arg for arg in kind.base_args}
    if style != "class":
        raise KgenError(f"--base: the {style} style has no base arguments")
    changed = {}
    for name, value in defaults.items():
        where = f"--base {name}"
        if name not in by_name:
            takes = ", ".join(by_name) or "none"
            raise KgenError(
                f"{where}: not a base argument of {kind.base} (those kgen writes: "
                f"{takes})"
            )
        changed[name] = _base_value(value, by_name[name].accepts, where)
    return replace(
        kind,
        base_args=tuple(
            (
                replace(arg, default=python_literal(changed[arg.name]))
                if arg.name in changed
                else arg
            )
            for arg in kind.base_args
        ),
    )


def _base_value(value: object, accepts: tuple[object, ...], where: str) -> object:
    if value is None:
        return None
    types = tuple(a for a in accepts if isinstance(a, type))
    if float in types and type(value) is int:
        value = float(value)
    if types and type(value) in types:
        if isinstance(value, float) and not math.isfinite(value):
            raise KgenError(f"{where}: {value!r} is not a finite float")
        return value
    if value in [a for a in accepts if not isinstance(a, type)]:
        return value
    expected = ", ".join(
        a.__name__ if isinstance(a, type) else python_literal(a) for a in accepts
    )
    raise KgenError(f"{where}: {value!r} is not taken; expected None or {expected}")
