"""Property-based tests: random requests, valid and invalid, through the whole pipeline.

A valid request (any kind, a CamelCase or snake_case name, zero to six params of every type
with random defaults, awkward strings included, a test profile) must give a module that parses, that black
leaves as it is (also where kgen skipped black, its docstring examples included), that imports, whose component builds from its defaults and works, and whose
config round-trips. An invalid request must be refused with one clear line, writing nothing.
The default run draws a few dozen requests; `pytest -m heavy` draws several hundred.
"""

import ast
import contextlib
import importlib.util
import io
import itertools
import json
import sys
import tempfile
from pathlib import Path

import black
import keras
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, reject, settings
from hypothesis import strategies as st

from kgen import formatting, generate
from kgen.cli import main
from kgen.errors import KgenError
from kgen.generate import Target, module_source
from kgen.identifiers import IDENTIFIERS
from kgen.kinds import KINDS
from kgen.names import derive_names
from kgen.params import TYPES, python_literal
from kgen.spec import make_spec

QUICK = settings(max_examples=40, deadline=None)
THOROUGH = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

words = st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=7)
awkward_text = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12
) | st.sampled_from(
    ['"""', "'''", "\\", "a\\nb", "{{ x }}", "{% if %}", '"', "'", "é\t€"]
)

VALUES = {
    "int": st.integers(-(10**12), 10**12),
    "float": st.floats(allow_nan=False, allow_infinity=False, width=32),
    "bool": st.booleans(),
    "str": awkward_text,
    "list[int]": st.lists(st.integers(-1000, 1000), max_size=4),
    "list[float]": st.lists(st.floats(-1e6, 1e6, width=32), max_size=4),
    "list[str]": st.lists(awkward_text, max_size=3),
    "int|list[int]": st.integers(-3, 3) | st.lists(st.integers(-3, 3), max_size=3),
}
for _type in TYPES.values():
    if _type.keras_module:
        VALUES[_type.name] = st.sampled_from(IDENTIFIERS[_type.keras_module])


@st.composite
def class_names(draw):
    parts = draw(st.lists(words, min_size=1, max_size=3))
    if draw(st.booleans()):
        name = "".join(part.title() for part in parts)
    else:
        name = "_".join(parts)
    try:
        derive_names(name)
    except KgenError:  # a keyword or a module name such as `json`: drawn again
        return draw(class_names())
    return name


@st.composite
def valid_requests(draw):
    kind = draw(st.sampled_from(sorted(KINDS)))
    names = draw(
        st.lists(
            words.map(lambda w: f"p_{w}"), max_size=6, unique=True
        )  # never a reserved name
    )
    style = draw(st.sampled_from(KINDS[kind].styles))
    params = []
    for name in names:
        type_name = draw(st.sampled_from(sorted(TYPES)))
        holds = KINDS[kind].nests or TYPES[type_name].nested == kind  # or wraps one
        if TYPES[type_name].nested and not (holds and style == "class"):
            type_name = "float"  # a Keras object is held by a class of these kinds only
        if TYPES[type_name].nested:  # required, or None
            params.append(f"{name}:{type_name}" + draw(st.sampled_from(["", "=None"])))
        elif style == "class" and draw(st.integers(0, 5)) == 0:
            params.append(f"{name}:{type_name}=...")
        elif draw(st.booleans()):
            params.append(f"{name}:{type_name}")
        else:
            default = draw(VALUES[type_name])
            if TYPES[type_name].keras_module:
                params.append(f"{name}:{type_name}={default}")
            else:
                params.append(f"{name}:{type_name}={python_literal(default)}")
    test = draw(profiles(kind))
    return kind, draw(class_names()), params, style, draw(st.booleans()), test


@st.composite
def profiles(draw, kind):
    """A test profile that needs no body: any target a default body takes, float inputs
    of one to three axes, for a layer or a model also ids and several inputs, and
    randomness in training. A kind whose tests train a model of their own (callback,
    optimizer) takes none."""
    table = {}
    if KINDS[kind].model_setup is None:
        return table
    targets = ["regression", "regression:3", "binary", "labels:3", "onehot:4"]
    if draw(st.booleans()):
        table["target"] = draw(st.sampled_from(targets))
    shapes = ["6", "4:float64", "3,5", "2,3,4:float16"]
    count = 1
    if kind in ("layer", "model"):
        shapes += ["6:int32:50", "3:uint8:7", "5:bool", "2,3:int64:9"]
        count = draw(st.integers(1, 3))
    if draw(st.booleans()):
        table["inputs"] = [draw(st.sampled_from(shapes)) for _ in range(count)]
    if kind in ("layer", "model") and draw(st.booleans()):
        table["stochastic"] = True
    return table


def samples_of(profile):
    """Two samples of each of a profile's inputs: floats in [-1, 1], ids from 0 up."""
    arrays = []
    for each in profile.inputs:
        values = np.arange(2 * int(np.prod(each.shape))).reshape(2, *each.shape)
        if each.ids:
            arrays.append((values % each.ids).astype(each.dtype))
        else:
            arrays.append(np.linspace(-1, 1, values.size).reshape(values.shape))
            arrays[-1] = arrays[-1].astype(each.dtype)
    return arrays[0] if len(arrays) == 1 else arrays


def exercise(component, kind, sparse=False, profile=None):
    """Use the component (an instance or, in the function style, the function) as Keras
    would, with its default arguments; `sparse`: with class indices for targets; a
    layer or a model on its `profile`'s inputs."""
    x = keras.ops.convert_to_tensor(
        np.linspace(-1, 1, 8, dtype="float32").reshape(2, 4)
    )
    y_true, y_pred = (
        (np.array([0, 3]), keras.ops.softmax(x)) if sparse else (x, x * 0.5)
    )
    if kind in ("layer", "model") and profile is not None:
        x = samples_of(profile)
    if kind in ("layer", "activation"):
        return component(x)
    if kind == "loss":
        return component(y_true, y_pred)
    if kind == "metric":
        component.update_state(y_true, y_pred)
        return component.result()
    if kind == "initializer":
        return component(shape=(4, 4))
    if kind in ("regularizer", "constraint"):
        return component(keras.ops.reshape(x, (4, 2)))
    if kind == "callback":  # the hooks of a one-epoch run
        component.set_model(keras.Sequential([keras.layers.Dense(1)]))
        component.on_train_begin({})
        component.on_epoch_end(0, {"loss": 0.5})
        component.on_train_end({"loss": 0.5})
        return np.array(component.epoch_losses)
    if kind == "optimizer":  # one step on one variable
        variable = keras.Variable(x)
        component.apply([keras.ops.ones_like(x)], [variable])
        return variable.value
    shapes = (
        [(None, *each.shape) for each in profile.inputs] if profile else [(None, 4)]
    )
    component.build(shapes[0] if len(shapes) == 1 else shapes)  # model
    return component(x)


_NUMBERS = itertools.count()  # a new module name for every import


def import_file(path):
    """Import a generated module from its file, under a name no other draw used."""
    module_spec = importlib.util.spec_from_file_location(
        f"drawn_{next(_NUMBERS)}", path
    )
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def check_valid(drawn):
    kind, name, params, style, explain, test = drawn
    spec = make_spec(kind, name, params, style=style, explain=explain, test=test)
    sparse = spec.profile.target.kind == "labels"
    try:
        sources = (module_source(spec), generate.test_source(spec, Target(Path("."))))
    except KgenError as error:  # a NAME the rendered code binds itself, such as `x`
        assert "choose another NAME" in str(error)
        reject()
    for source in sources:
        ast.parse(source)
        assert black.format_str(source, mode=black.Mode()) == source
    with pytest.MonkeyPatch.context() as patch:  # docstring examples too: black for all
        patch.setattr(formatting, "_fits", lambda source, width: False)
        formatted = (module_source(spec), generate.test_source(spec, Target(Path("."))))
    assert formatted == sources, "the shortcut past black gave other code than black"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / spec.names.module_file
        path.write_text(module_source(spec), encoding="utf-8")
        module = import_file(path)
    if style == "function":
        function = getattr(module, spec.function_name)
        outputs = exercise(function, kind, sparse)
        assert np.all(np.isfinite(keras.ops.convert_to_numpy(outputs)))
        payload = json.dumps(keras.saving.serialize_keras_object(function))
        restored = keras.saving.deserialize_keras_object(json.loads(payload))
        assert keras.saving.get_registered_name(restored) == spec.registered_name
        return
    component_class = getattr(module, spec.names.class_name)
    if style == "functional":  # a model built from a graph: the tests' own
        graph = {"keras": keras}
        graph["inputs"] = eval(spec.profile.keras_inputs, graph)
        outputs = eval(f"keras.layers.Dense(1)({spec.profile.graph_features})", graph)
        component = component_class(graph["inputs"], outputs)
    else:  # the required params take their test values
        required = {
            p.name: eval(spec.sample_source(p), {"keras": keras})
            for p in spec.params
            if p.required
        }
        component = component_class(**required)
    outputs = exercise(component, kind, sparse, spec.profile)
    assert np.all(np.isfinite(keras.ops.convert_to_numpy(outputs)))
    config = json.dumps(component.get_config(), sort_keys=True)
    restored = component_class.from_config(json.loads(config))
    assert json.dumps(restored.get_config(), sort_keys=True) == config


@QUICK
@given(valid_requests())
# A loss of sparse labels, exercised once with targets it cannot take: always tried.
@example(("loss", "a", [], "class", False, {"target": "labels:3"}))
# Rare draws that once broke the default layer body (a 1-D weight): always tried.
@example(("layer", "Rotation", ["p_init:initializer=orthogonal"], "class", False, {}))
@example(
    (
        "layer",
        "Same",
        ["p_init:initializer=identity", "p_act:activation=gelu"],
        "class",
        True,
        {},
    )
)
# A layer holding an optional layer (None by default): not wrapped. Always tried.
@example(("layer", "a", ["p_m:layer=None"], "class", False, {}))
# A float whose repr has an exponent with "+" (black writes 1e16), in a docstring example
# that fits: always tried.
@example(("model", "A", ["p_a=1.0000000272564224e+16"], "class", False, {}))
def test_valid_requests_give_working_components(drawn):
    check_valid(drawn)


@pytest.mark.heavy
@THOROUGH
@given(valid_requests())
def test_valid_requests_give_working_components_thoroughly(drawn):
    check_valid(drawn)


@st.composite
def invalid_requests(draw):
    kind = draw(st.sampled_from(sorted(KINDS)))
    name, params = draw(class_names()), draw(
        st.lists(words.map(lambda w: f"p_{w}=1.0"), max_size=2, unique=True)
    )
    options = []
    mistake = draw(st.integers(0, 10))
    if mistake == 0:  # a name that is no identifier
        name = draw(
            st.sampled_from(["", "1abc", "my-loss", "my loss", "_private", "a.b", "ü"])
        )
    elif mistake == 1:  # a keyword, a module it would shadow, a name the tests use
        name = draw(st.sampled_from(["class", "json", "keras", "os", "ARGS"]))
        options = ["--style=class"]  # lowercased, path and args are good function names
    elif mistake == 2:  # an unknown type
        params.append(
            f"p_x:{draw(st.sampled_from(['tensor', 'dict', 'list', 'Int']))}=1"
        )
    elif mistake == 3:  # a default of the wrong type
        params.append(
            draw(
                st.sampled_from(
                    [
                        "p_x:int=1.5",
                        "p_x:bool=1",
                        "p_x:list[int]=[1.5]",
                        "p_x:float='a'",
                    ]
                )
            )
        )
    elif mistake == 4:  # a name the base class or the generated code uses
        params.append(f"{draw(st.sampled_from(sorted(KINDS[kind].reserved)))}=1.0")
        options = ["--style=class"]
    elif mistake == 5:  # the same param twice
        params += ["p_twice=1.0", "p_twice=2.0"]
    elif mistake == 6:  # a param name that is no identifier or a keyword
        params.append(
            f"{draw(st.sampled_from(['1x', 'my-x', '', 'lambda', 'x y']))}=1.0"
        )
    elif mistake == 7:  # an identifier Keras does not know
        module = draw(st.sampled_from(["activation", "initializer", "regularizer"]))
        params.append(f"p_x:{module}={draw(words)}_not_in_keras")
    elif mistake == 8:  # not a literal, or nothing after '='
        params.append(
            draw(st.sampled_from(["p_x=", "p_x=foo(1)", "p_x=[1,", "p_x=1 +"]))
        )
    elif mistake == 9:  # NaN and infinity have no literal
        params.append(draw(st.sampled_from(["p_x=float('nan')", "p_x=1e999"])))
    else:  # a style the kind does not have
        kind = draw(st.sampled_from(["layer", "metric", "model", "loss"]))
        style = "banana" if kind == "loss" else "function"
        options = [f"--style={style}"]
    return kind, name, params, options


def run_kgen(args, cwd):
    """kgen's console entry point, in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    argv = ["kgen", *args]
    with (
        contextlib.chdir(cwd),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(sys, "argv", argv)
        try:
            main()
            code = 0
        except SystemExit as exit:
            code = exit.code
    return code, out.getvalue(), err.getvalue()


def check_invalid(drawn):
    kind, name, params, options = drawn
    with tempfile.TemporaryDirectory() as folder:
        args = [kind, name, *[f"--param={param}" for param in params], *options]
        code, _, err = run_kgen(args, folder)
        assert code != 0
        assert err.startswith("kgen: error: ") and err.count("\n") == 1, err
        assert "Traceback" not in err
        assert list(Path(folder).iterdir()) == []


@QUICK
@given(invalid_requests())
def test_invalid_requests_are_refused_and_write_nothing(drawn):
    check_invalid(drawn)


@pytest.mark.heavy
@THOROUGH
@given(invalid_requests())
def test_invalid_requests_are_refused_and_write_nothing_thoroughly(drawn):
    check_invalid(drawn)
