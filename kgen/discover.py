"""What `kgen check` finds in the user's code: every Keras component a module defines
(classes by their base class, every kind kgen knows; functions by their registration),
with what its tests need: kind, style, params and their defaults, the registered name,
and the methods it writes itself.

Runs in the check's worker process, where Keras is imported (kgen.check_worker); never
in the command's own process.
"""

import functools
import importlib
import inspect
import sys
import sysconfig
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np

from kgen.backends import hidden_import
from kgen.identifiers import IDENTIFIERS
from kgen.kinds import KINDS

# Param names that hold a Keras object, by the Keras module that resolves it: the names
# Keras's own layers give them (activation, kernel_initializer, bias_regularizer...).
_OBJECT_SUFFIXES = {
    "activation": "activation",
    "initializer": "initializer",
    "regularizer": "regularizer",
    "constraint": "constraint",
}
# A one-argument function is a constraint when its argument is named as weights are.
_WEIGHT_NAMES = {"w", "weights", "weight", "kernel", "p"}


@dataclass
class Found:
    """One component of the user's, as kgen.checking turns it into a spec."""

    name: str  # the class's or the function's name
    kind: str
    style: str  # class, functional, function
    module: str  # the dotted name its tests import it from
    registered: str | None  # as Keras registered it; None: not registered
    params: list[str] = field(default_factory=list)  # `units:int=32`, as --param takes
    overrides: list[str] = field(default_factory=list)  # the kind's methods it writes
    # The kind's base arguments (reduction, seed...) its constructor takes.
    base_args: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)  # params kept at their default
    problem: str = ""  # why it cannot be checked, in one line
    notes: list[str] = field(default_factory=list)  # what differs in its checking

    def to_json(self) -> dict:
        return dict(vars(self))


def import_module(module: str, root: str, file: str | None = None) -> object:
    """Import the user's module as Python would from `root`; an error becomes one line
    naming the user's own line where it was raised."""
    loaded = sys.modules.get(module)
    if file and loaded is not None and getattr(loaded, "__file__", None) != file:
        raise ImportFailed(
            f"{Path(file).name}: its name is that of the module {module} Python has "
            "loaded already (the standard library's, or another file's): rename it"
        )
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        return importlib.import_module(module)
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt):
            raise
        why = hidden_import(error, _where(error))
        if why is not None:
            raise ImportFailed(f"cannot import {module}: {why}") from None
        raise ImportFailed(f"cannot import {module}: {one_line(error)}") from None


class ImportFailed(Exception):
    pass


def one_line(error: BaseException) -> str:
    """`TypeError: ... (student.py, line 12)`: the error, and the last line of the user's
    own code it came through (not Keras's, not kgen's)."""
    if isinstance(error, SyntaxError) and error.filename:
        where = f"{Path(error.filename).name}, line {error.lineno}"
        return f"{type(error).__name__}: {error.msg} ({where})"
    message = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {message[0] if message else ''}".rstrip(": ")
    where = _where(error)
    return f"{text} ({where})" if where else text


def _where(error: BaseException) -> str:
    """`student.py, line 12`: the last line of the user's own code the error came
    through, or ""."""
    python = (sysconfig.get_path("stdlib"), sysconfig.get_path("purelib"))
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if not frame.filename.startswith((*python, "<"))
        and "/kgen/" not in frame.filename
    ]
    if frames:
        return f"{Path(frames[-1].filename).name}, line {frames[-1].lineno}"
    return ""


def components_in(module: object, name: str | None, defined_here: bool) -> list[Found]:
    """The components of `module`: the one named `name`, or each one it defines (or, for
    a module given by its dotted name, each one it exports)."""
    if name is not None:
        if not hasattr(module, name):
            raise ImportFailed(f"{module.__name__} has no {name!r}")
        candidates = {name: getattr(module, name)}
    else:
        candidates = {
            key: value
            for key, value in vars(module).items()
            if not key.startswith("_")
            and (
                not defined_here
                or getattr(value, "__module__", None) == module.__name__
            )
        }
    registered_functions = set(keras.saving.get_custom_objects().values())
    classes = [
        value
        for value in candidates.values()
        if inspect.isclass(value) and kind_of_class(value) is not None
    ]
    # A base class that another one here derives from, and that leaves the kind's math
    # to it, is a part, not a component (Keras's Embedding, Dropout, Mean are both).
    bases = {base for cls in classes for base in cls.__mro__[1:]}
    found = []
    for key, value in _once(candidates).items():
        try:
            if inspect.isclass(value) and value in classes:
                kind = kind_of_class(value)
                if value in bases and name is None and not _writes_math(value, kind):
                    continue
                found.append(_class_found(value, kind, module.__name__))
            elif inspect.isfunction(value) and (
                value in registered_functions
                or _keras_kind(value, module.__name__) is not None
                or name is not None
            ):
                found.append(_function_found(value, module.__name__))
        except BaseException as error:  # the user's code, run to find out its kind
            if isinstance(error, KeyboardInterrupt):
                raise
            what = getattr(value, "__name__", key)
            found.append(
                Found(what, "", "", module.__name__, None, problem=one_line(error))
            )
    if name is not None and not found:
        raise ImportFailed(
            f"{module.__name__}.{name} is not a Keras component (a class of a kind kgen "
            "knows, or a function)"
        )
    return found


def _once(candidates: dict[str, object]) -> dict[str, object]:
    """Each object once, under its own name where the module exports it so (Keras's
    `Conv2D` and its alias `Convolution2D`), else under its first."""
    by_object: dict[int, tuple[str, object]] = {}
    for key, value in candidates.items():
        first = by_object.setdefault(id(value), (key, value))
        if first[0] != key and key == getattr(value, "__name__", None):
            by_object[id(value)] = (key, value)
    return dict(by_object.values())


def _writes_math(cls: type, kind: str) -> bool:
    """Whether `cls` has the kind's math method of its own (or from a class between it
    and the kind's base), so that it is a whole component."""
    method = KINDS[kind].math_method
    return method in _own_methods(cls, _base(kind))


# The kinds of Keras's own functions, each found through its module's `get`.
_FUNCTION_MODULES = {
    "activation": "activations",
    "loss": "losses",
    "initializer": "initializers",
    "regularizer": "regularizers",
    "constraint": "constraints",
}


def _keras_kind(function, where: str | None = None) -> str | None:
    """The kind of one of Keras's own functions: the one whose `keras.<module>.get`
    resolves its name to it (`keras.activations.get("relu")`), as a saved model
    finds it; None for any other function, or one that module `where` only re-exports
    (keras.metrics's loss functions are keras.losses's)."""
    if not getattr(function, "__module__", "").startswith("keras."):
        return None
    for kind, module in _FUNCTION_MODULES.items():
        if where not in (None, f"keras.{module}"):
            continue
        try:
            if getattr(keras, module).get(function.__name__) is function:
                return kind
        except (ValueError, TypeError):
            continue
    return None


@functools.cache
def _base(kind: str) -> type:
    return functools.reduce(getattr, KINDS[kind].base.split(".")[1:], keras)


def kind_of_class(cls: type) -> str | None:
    """The kind of the most specific Keras base class `cls` derives from (a Model is a
    Layer too); None if it is none of them, or is the base class itself. A layer is a
    layer: the activation kind's classes are layers."""
    found = {}
    for name in KINDS:
        if name == "activation":
            continue
        base = _base(name)
        if issubclass(cls, base) and cls is not base:
            found[name] = len(base.__mro__)
    return max(found, key=found.get) if found else None


def _registered(value: object) -> str | None:
    name = keras.saving.get_registered_name(value)
    return name if keras.saving.get_registered_object(name) is value else None


def _class_found(cls: type, kind: str, module: str) -> Found:
    base = _base(kind)
    own = _own_methods(cls, base)
    style = "class"
    if kind == "model" and "call" not in own:
        style = "functional"  # its layers come from a graph: Name(inputs, outputs)
    methods = [m for m in KINDS[kind].methods_of(style) if m != "function"]
    found = Found(
        name=cls.__name__,
        kind=kind,
        style=style,
        module=module,
        registered=_registered(cls),
        overrides=[m for m in methods if ("__init__" if m == "init" else m) in own],
    )
    if cls.__module__.split(".")[0] == "keras" and found.registered is None:
        found.registered = keras.saving.get_registered_name(cls)
        found.notes.append(
            "Keras's own class: Keras finds it by its module, not by a registered "
            "name; its serialization is checked through JSON only"
        )
    if style == "class":
        _read_params(cls, base, KINDS[kind], found)
    return found


def _own_methods(cls: type, base: type) -> set[str]:
    """The methods a class below `base` writes: the user's, or a Keras subclass's own."""
    own = set()
    for klass in cls.__mro__:
        if klass is base or issubclass(base, klass):
            break
        own |= {key for key, value in vars(klass).items() if callable(value)}
    return own


def _read_params(cls: type, base: type, kind, found: Found) -> None:
    """The constructor's own arguments as `--param` strings; the base class's arguments
    (name, dtype, reduction...) are the base class's to test."""
    skipped = {arg.name for arg in kind.base_args}
    skipped |= set(inspect.signature(base.__init__).parameters)
    if cls.__init__ is object.__init__:  # no constructor of its own: no arguments
        return
    parameters = inspect.signature(cls.__init__).parameters
    takes_any = any(p.kind == p.VAR_KEYWORD for p in parameters.values())
    found.base_args = [
        arg.name for arg in kind.base_args if takes_any or arg.name in parameters
    ]
    for param in parameters.values():
        if param.name in skipped or param.kind in (
            param.VAR_POSITIONAL,
            param.VAR_KEYWORD,
        ):
            continue
        text = _param_text(param)
        if text is None:
            found.unchecked.append(param.name)
        else:
            found.params.append(text)


def _param_text(param: inspect.Parameter) -> str | None:
    """`units:int=32`; `units=...` for a required argument of no known type (its test
    value says, kgen.checking); None for a default kgen cannot write as a literal (an
    object): that argument keeps its default."""
    default = param.default
    nested = _nested_type(param)
    if nested and (default is None or default is param.empty):
        return f"{param.name}:{nested}=" + ("None" if default is None else "...")
    if default is param.empty:
        annotation = param.annotation
        type_name = getattr(annotation, "__name__", annotation)  # `int` or "int"
        type_name = type_name if type_name in ("int", "float", "bool", "str") else None
        return f"{param.name}:{type_name}=..." if type_name else f"{param.name}=..."
    object_type = _object_type(param.name)
    if object_type and default is None:
        return f"{param.name}:{object_type}=None"
    if object_type and isinstance(default, str):
        known = _known_identifier(object_type + "s", default)
        if known is not None:
            return f"{param.name}:{object_type}={known!r}"
    if default is None:
        return None  # of no known type: no other value to test it with
    if isinstance(default, float) and not np.isfinite(default):
        return None
    if isinstance(default, bool | int | float | str):
        return f"{param.name}:{type(default).__name__}={default!r}"
    if isinstance(default, list | tuple) and default:
        items = {type(item) for item in default}
        if len(items) == 1 and items <= {int, float, str}:
            return f"{param.name}:list[{items.pop().__name__}]={list(default)!r}"
    return None


def _known_identifier(module: str, default: str) -> str | None:
    """The identifier kgen knows that `keras.<module>.get` resolves as it resolves
    `default` (`"uniform"` is `"random_uniform"`, `"Zeros"` is `"zeros"`), compared as
    configs compare them, serialized; None if there is none."""
    if default in IDENTIFIERS[module]:
        return default
    keras_module = getattr(keras, module)
    try:
        wanted = keras_module.serialize(keras_module.get(default))
    except (ValueError, TypeError):
        return None
    for known in IDENTIFIERS[module]:
        if keras_module.serialize(keras_module.get(known)) == wanted:
            return known
    return None


def _nested_type(param: inspect.Parameter) -> str | None:
    """A param holding a Keras object whole, by its annotation (`keras.Model`), or named
    `layer`, as Keras's wrappers name the layer they wrap."""
    annotation = param.annotation
    if inspect.isclass(annotation):
        for type_name, base in (
            ("model", keras.Model),
            ("layer", keras.layers.Layer),
            ("loss", keras.losses.Loss),
            ("metric", keras.metrics.Metric),
            ("optimizer", keras.optimizers.Optimizer),
        ):
            if issubclass(annotation, base):
                return type_name
    return "layer" if param.name == "layer" else None


def _object_type(name: str) -> str | None:
    for suffix, type_name in _OBJECT_SUFFIXES.items():
        if name == suffix or name.endswith("_" + suffix):
            return type_name
    return None


def _function_found(function, module: str) -> Found:
    keras_kind = _keras_kind(function)
    kind = keras_kind or _kind_of_function(function)
    found = Found(
        name=function.__name__,
        kind=kind or "",
        style="function",
        module=module,
        registered=_registered(function),
        overrides=["function"],  # the math is the user's: no default to compare with
    )
    if keras_kind is not None:
        found.registered = function.__name__
        found.notes.append(
            f"Keras's own function: keras.{_FUNCTION_MODULES[kind]}.get finds it by its "
            "bare name, not by a registered one"
        )
    if kind is None:
        found.problem = (
            "not a loss (y_true, y_pred), an initializer (shape, dtype=None), or a "
            "one-argument activation, regularizer or constraint"
        )
    return found


def _kind_of_function(function) -> str | None:
    """By its signature as Keras calls it; a one-argument function by what it returns:
    a scalar (a regularizer), or the weights' shape (a constraint, if its argument is
    named as weights are, else an activation)."""
    required = [
        p.name
        for p in inspect.signature(function).parameters.values()
        if p.default is p.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if len(required) == 2:
        return "loss"
    if required and required[0] == "shape":
        return "initializer"
    if len(required) != 1:
        return None
    try:
        value = function(keras.ops.convert_to_tensor(np.ones((3, 4), "float32")))
    except Exception:  # noqa: BLE001 - the tests will show the error
        return "activation"
    if tuple(getattr(value, "shape", (1,))) == ():
        return "regularizer"
    return "constraint" if required[0] in _WEIGHT_NAMES else "activation"
