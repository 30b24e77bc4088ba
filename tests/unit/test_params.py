import math

import pytest

from kgen.errors import KgenError
from kgen.params import parse_param


@pytest.mark.parametrize(
    ("spec", "type_name", "default"),
    [
        ("threshold", "float", 1.0),  # neither TYPE nor DEFAULT: a float
        ("threshold=2", "int", 2),
        ("threshold=0.5", "float", 0.5),
        ("threshold:float=2", "float", 2.0),
        ("flag=True", "bool", True),
        ("mode='sum'", "str", "sum"),
        ("mode:str=sum", "str", "sum"),
        ("mode:str=two words", "str", "two words"),
        ("sizes=[1, 2]", "list[int]", [1, 2]),
        ("scales=[1, 2.5]", "list[float]", [1.0, 2.5]),
        ("scales:list[float]=[1, 2]", "list[float]", [1.0, 2.0]),
        ("tags=['a']", "list[str]", ["a"]),
        ("sizes:list[int]", "list[int]", []),
        ("units:int=None", "int", None),
        ("activation:activation=relu", "activation", "relu"),
        ("activation:activation", "activation", None),
        (
            "kernel_initializer:initializer=glorot_uniform",
            "initializer",
            "glorot_uniform",
        ),
        ("kernel_initializer:initializer='he_normal'", "initializer", "he_normal"),
        ("kernel_regularizer:regularizer=l2", "regularizer", "l2"),
        ("kernel_constraint:constraint=non_neg", "constraint", "non_neg"),
    ],
)
def test_parses_name_type_and_default(spec, type_name, default):
    param = parse_param(spec)
    assert (param.type.name, param.default) == (type_name, default)
    assert type(param.default) is type(default)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("x:complex=1", "unknown type 'complex'"),
        ("x=", "nothing after '='"),
        ("x=sum", "not a Python literal .*quote"),
        ("x=[]", "cannot infer a type"),
        ("x=None", "cannot infer a type"),
        ("x={1: 2}", "cannot infer a type"),
        ("x:int=1.5", "is not of type int"),
        ("x:bool=1", "is not of type bool"),
        ("x:float=1e999", "not a finite float"),
        ("x:list[int]=[1, 'a']", "is not of type int"),
        ("x:list[int]=3", "is not of type list"),
        ("a:activation=rleu", "not a Keras activation"),
        ("k:initializer=zeroes", "not a Keras initializer"),
        ("class=1", "keyword"),
        ("2x=1", "not a parameter name"),
        ("_x=1", "not a parameter name"),
        ("x-y=1", "not a parameter name"),
    ],
)
def test_refuses_bad_params_naming_the_problem(spec, message):
    with pytest.raises(KgenError, match=message):
        parse_param(spec)


def test_sample_values_differ_from_the_defaults():
    for spec in (
        "a=1",
        "b=0.0",
        "c=True",
        "d:activation=relu",
        "e:initializer",
        "f:regularizer",
        "g:constraint=max_norm",
        "h:int=None",
    ):
        param = parse_param(spec)
        assert param.sample_at(2) != param.default


@pytest.mark.parametrize(
    "spec",
    [
        "x:float=1e308",
        "x:float=-1e308",
        "x:float=5e-324",
        "x:float=0.0",
        "x=1",
        "x=0",
        "x=-1",
        "x=-7",
        f"x={10**18}",
        "x:int=None",
        "x:float=None",
    ],
)
def test_samples_are_finite_of_the_type_and_sign_and_no_larger(spec):
    param = parse_param(spec)
    sample, default = param.sample_at(2), param.default
    assert sample != default and type(sample) is param.type.implicit_default.__class__
    assert math.isfinite(sample)
    if default is not None:
        assert (sample < 0) == (default < 0) and abs(sample) <= max(abs(default), 2)
