"""What real components need from generation: Keras objects held whole, required and
union params, new base defaults, imports, signatures, extra members, and names checked
as a linter checks them. (Their generated tests run in tests/end_to_end.)"""

import ast
import subprocess

import pytest

from kgen import generate
from kgen.errors import KgenError
from kgen.generate import Target, module_source
from kgen.imports import import_block, parse_imports
from kgen.spec import make_spec


def class_of(source, name):
    tree = ast.parse(source)
    return next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name)


def method(source, class_name, name):
    found = class_of(source, class_name)
    return next(
        n for n in found.body if isinstance(n, ast.FunctionDef) and n.name == name
    )


def test_a_required_param_comes_first_without_a_default(tmp_path):
    spec = make_spec("metric", "F1", ["threshold=0.5", "num_classes:int=..."])
    source = module_source(spec)
    init = method(source, "F1", "__init__")
    arguments = [a.arg for a in init.args.args]
    assert arguments == ["self", "num_classes", "threshold", "name", "dtype"]
    assert len(init.args.defaults) == 1 + 2  # threshold, name, dtype
    assert "num_classes: Integer. Required." in source
    tests = generate.test_source(spec, Target(tmp_path))
    assert 'REQUIRED = {"num_classes": 2}' in tests
    assert '[REQUIRED, ARGS], ids=["defaults", "samples"]' in tests


def test_a_required_param_takes_its_test_value_from_samples(tmp_path):
    spec = make_spec(
        "metric", "F1", ["num_classes:int=..."], test={"samples": {"num_classes": 3}}
    )
    assert 'REQUIRED = {"num_classes": 3}' in generate.test_source(
        spec, Target(tmp_path)
    )
    assert "F1(num_classes=3)" in module_source(spec)  # the docstring example


@pytest.mark.parametrize(
    ("params", "style", "message"),
    [
        (["n=..."], "class", "a required param needs a type"),
        (["n:int=..."], "function", "a required param needs the class style"),
        (["inner:layer=1"], "class", "defaults to None or is required"),
        (["inner:layer"], "function", "cannot hold a Keras object"),
    ],
)
def test_params_a_kind_cannot_take_are_one_line(params, style, message):
    with pytest.raises(KgenError, match=message):
        make_spec("loss", "A", params, style=style)


def test_a_callback_holds_no_keras_object():
    with pytest.raises(KgenError, match="cannot hold a Keras object"):
        make_spec("callback", "A", ["inner:model"])


def test_an_optimizer_wraps_an_optimizer_and_holds_nothing_else(tmp_path):
    with pytest.raises(KgenError, match="an optimizer can wrap an optimizer"):
        make_spec("optimizer", "A", ["inner:layer"])
    # Lookahead, as LossScaleOptimizer wraps one: serialized whole, rebuilt from a copy.
    spec = make_spec("optimizer", "Lookahead", ["optimizer:optimizer", "k:int=5"])
    source = module_source(spec)
    assert '"optimizer": keras.saving.serialize_keras_object(self.optimizer)' in source
    from_config = ast.unparse(method(source, "Lookahead", "from_config"))
    assert "keras.saving.deserialize_keras_object(config['optimizer'])" in from_config
    # The default body is the wrapped optimizer's, with this one's learning rate.
    assert "self.optimizer.build(variables)" in source
    update_step = ast.unparse(method(source, "Lookahead", "update_step"))
    assert (
        "self.optimizer.update_step(gradient, variable, learning_rate)" in update_step
    )
    tests = generate.test_source(spec, Target(tmp_path))
    assert "ARGS" not in tests and "def make_args():" in tests


def test_a_union_of_int_and_list_keeps_either():
    spec = make_spec("layer", "Norm", ["axis:int|list[int]=[1, 2]"])
    source = module_source(spec)
    assert "axis=(1, 2)," in source
    assert "list(axis) if isinstance(axis, (list, tuple)) else axis" in source
    assert make_spec("layer", "Norm", ["axis:int|list[int]"]).params[0].default == -1
    with pytest.raises(KgenError, match="is not of type int"):
        make_spec("layer", "Norm", ["axis:int|list[int]='a'"])


def test_a_nested_layer_is_serialized_and_rebuilt_from_a_copy():
    spec = make_spec("layer", "Wrap", ["inner:layer", "extras:list[layer]=None"])
    source = module_source(spec)
    assert (
        '"inner": keras.saving.serialize_keras_object(self.inner)' in source
        and '"extras": keras.saving.serialize_keras_object(self.extras)' in source
    )
    from_config = ast.unparse(method(source, "Wrap", "from_config"))
    assert "config = copy.deepcopy(config)" in from_config
    assert "keras.saving.deserialize_keras_object(config['inner'])" in from_config
    assert "keras.saving.deserialize_keras_object(config['extras'])" in from_config
    # The default body wraps the required layer, as keras.layers.Wrapper does.
    build = ast.unparse(method(source, "Wrap", "build"))
    assert "if not self.inner.built:" in build


def test_nested_objects_are_made_anew_for_each_test(tmp_path):
    spec = make_spec(
        "model",
        "Gan",
        ["generator:model", "d_optimizer:optimizer"],
        test={"samples": {"generator": "keras.Sequential([keras.layers.Dense(4)])"}},
    )
    tests = generate.test_source(spec, Target(tmp_path))
    make_args = ast.unparse(
        next(n for n in ast.parse(tests).body if getattr(n, "name", "") == "make_args")
    )
    assert "'generator': keras.Sequential([keras.layers.Dense(4)])" in make_args
    assert (
        "'d_optimizer': keras.optimizers.SGD(learning_rate=0.05, momentum=0.5)"
        in make_args
    )
    assert "ARGS" not in tests
    assert "args = make_args() if args is None else args" in tests


@pytest.mark.parametrize(
    ("sample", "message"),
    [
        ("keras.layers.Dense(", "is not a Python expression"),
        (3, "is code on one line"),
        ("keras.layers.Dense(2)\nimport os", "is code on one line"),
    ],
)
def test_the_test_value_of_a_nested_param_is_one_expression(sample, message):
    with pytest.raises(KgenError, match=message):
        make_spec("layer", "Wrap", ["inner:layer"], test={"samples": {"inner": sample}})


def test_a_base_argument_takes_a_new_default():
    spec = make_spec("loss", "Focal", [], base_defaults={"reduction": "none"})
    init = method(module_source(spec), "Focal", "__init__")
    assert ast.unparse(init.args.defaults[0]) == "'none'"
    with pytest.raises(KgenError, match="'nothing' is not taken; expected None or"):
        make_spec("loss", "A", [], base_defaults={"reduction": "nothing"})
    with pytest.raises(KgenError, match="not a base argument of keras.losses.Loss"):
        make_spec("loss", "A", [], base_defaults={"axis": 1})
    with pytest.raises(KgenError, match="not a base argument of keras.layers.Layer"):
        make_spec("layer", "A", [], base_defaults={"name": "x"})
    spec = make_spec("optimizer", "Opt", [], base_defaults={"learning_rate": 1})
    assert "learning_rate=1.0," in module_source(spec)


def test_imports_are_kept_where_used_and_sorted_as_ruff_sorts_them(tmp_path):
    spec = make_spec(
        "layer",
        "Gelu",
        [],
        bodies={"call": "return inputs * 0.5 * (1 + erf(inputs / math.sqrt(2.0)))"},
        imports=["from keras.ops import erf", "import math", "import collections"],
    )
    source = module_source(spec)
    assert "import math\n\nimport keras\nfrom keras.ops import erf\n" in source
    # Used by no body, but asked for: kept, for what importing it does.
    assert "import collections  # noqa: F401" in source
    (tmp_path / "gelu.py").write_text(source)
    ruff = subprocess.run(
        ["ruff", "check", "--isolated", "--select", "I,F", "gelu.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert ruff.returncode == 0, ruff.stdout


def test_from_imports_of_one_module_share_a_line():
    statements = parse_imports(
        ["from keras import ops", "from keras import Layer, layers"]
    )
    assert statements == (
        "from keras import ops",
        "from keras import Layer",
        "from keras import layers",
    )
    block = import_block(
        [*statements, "import math"], {"ops", "Layer", "layers", "math"}
    )
    assert block == "import math\n\nfrom keras import Layer, layers, ops"


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("from . import x", "use an absolute import"),
        ("from math import *", "not \\*"),
        ("x = 1", "not an import statement"),
        ("import math\nimport os", "one import statement on one line"),
        ("import (", "does not parse"),
    ],
)
def test_a_bad_import_is_one_line(statement, message):
    with pytest.raises(KgenError, match=message):
        parse_imports([statement])


def test_an_undefined_name_in_a_body_is_named_with_the_body():
    spec = make_spec(
        "regularizer", "Ortho", [], bodies={"__call__": "return math.pi * ops.sum(x)"}
    )
    with pytest.raises(
        KgenError,
        match=r"Ortho: the body of __call__ uses the undefined name 'math'.*"
        r"--import 'import math'",
    ):
        module_source(spec)


def test_a_method_defined_twice_is_refused():
    spec = make_spec(
        "layer", "A", [], extra="def call(self, inputs):\n    return inputs"
    )
    with pytest.raises(KgenError, match="'call' is defined twice"):
        module_source(spec)


@pytest.mark.parametrize("helper", ["keras = None", "def np():\n    return 3"])
def test_test_helpers_may_not_bind_a_name_the_test_module_imports(helper, tmp_path):
    spec = make_spec("loss", "A", [], test={"helpers": helper})
    with pytest.raises(KgenError, match="imported and bound again"):
        generate.test_source(spec, Target(tmp_path))


def test_extra_members_and_signatures_go_into_the_class():
    spec = make_spec(
        "layer",
        "Masked",
        [],
        bodies={"call": "return inputs if mask is None else inputs * mask"},
        signatures={"call": "inputs, training=None, mask=None"},
        extra="@property\ndef doubled(self):\n    return 2\n\n"
        "def compute_mask(self, inputs, mask=None):\n    return mask",
    )
    source = module_source(spec)
    call = method(source, "Masked", "call")
    assert [a.arg for a in call.args.args] == ["self", "inputs", "training", "mask"]
    assert method(source, "Masked", "compute_mask")
    assert method(source, "Masked", "doubled").decorator_list


@pytest.mark.parametrize("style", ["class", "function"])
def test_module_extra_goes_after_the_component_and_is_checked_as_its_code(style):
    name = "Doubled" if style == "class" else "doubled"
    body = "return _twice(y_true - y_pred)"
    bodies = {"call": body} if style == "class" else {"function": body}
    helper = "def _twice(x):\n    return 2 * x"
    spec = make_spec("loss", name, [], style=style, bodies=bodies, module_extra=helper)
    tree = ast.parse(module_source(spec))
    assert [getattr(node, "name", None) for node in tree.body[-2:]] == [name, "_twice"]
    unused = make_spec("loss", name, [], style=style, module_extra="x = y")
    with pytest.raises(
        KgenError, match="Doubled: the module extra uses the undefined name 'y'"
    ):
        module_source(unused)
    with pytest.raises(KgenError, match="Doubled: the module extra does not parse"):
        make_spec("loss", name, [], style=style, module_extra="def (:")
    again = (
        f"class {name}:\n    pass" if style == "class" else f"def {name}():\n    pass"
    )
    shadowing = make_spec("loss", name, [], style=style, module_extra=again)
    with pytest.raises(KgenError, match=f"'{name}' would be both"):
        module_source(shadowing)


@pytest.mark.parametrize(
    ("signatures", "message"),
    [
        ({"fit": "x"}, "no method 'fit' to give a signature"),
        ({"call": "inputs,,"}, "does not parse"),
        ({"call": "inputs):\n    pass\ndef g(x"}, "on one line"),
    ],
)
def test_a_bad_signature_is_one_line(signatures, message):
    with pytest.raises(KgenError, match=message):
        make_spec("layer", "A", [], signatures=signatures)


def test_the_cli_refuses_an_undefined_name_and_writes_nothing(kgen, tmp_path):
    result = kgen("loss", "A", "--import", "from . import x")
    assert result.returncode == 1
    expected = "--import 'from . import x': use an absolute import (the module's"
    assert result.stderr.strip().splitlines() == [f"kgen: error: {expected} full name)"]
    result = kgen("loss", "A", "--base", "reduction=everything")
    assert result.returncode == 1
    assert "--base reduction: 'everything' is not taken" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_import_may_not_take_a_name_the_generated_code_uses():
    assert parse_imports(["import numpy as np"]) == ("import numpy as np",)  # the same
    with pytest.raises(KgenError, match="binds 'np', which the generated code uses"):
        parse_imports(["from keras import ops as np"])
