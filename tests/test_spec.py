import pytest

from kgen.errors import KgenError
from kgen.spec import make_spec


@pytest.mark.parametrize(
    ("kind", "param"),
    [
        ("loss", "reduction"),
        ("loss", "name"),
        ("loss", "dtype"),
        ("layer", "trainable"),
        ("layer", "weights"),
        ("layer", "units_"),  # allowed: control case, see below
        ("metric", "variables"),
        ("initializer", "seed"),
        ("model", "optimizer"),
        ("regularizer", "keras"),
        ("constraint", "ops"),
    ],
)
def test_refuses_params_that_clash_with_the_base_class(kind, param):
    if param.endswith("_"):
        assert make_spec(kind, "Thing", [param]).params[0].name == param
        return
    with pytest.raises(KgenError, match="clashes"):
        make_spec(kind, "Thing", [param])


def test_refuses_a_param_given_twice():
    with pytest.raises(KgenError, match="given twice"):
        make_spec("loss", "Huber", ["threshold", "threshold=2.0"])


@pytest.mark.parametrize("kind", ["widget", "", "Loss"])
def test_refuses_an_unknown_kind(kind):
    with pytest.raises(KgenError, match="unknown kind"):
        make_spec(kind, "Huber")


@pytest.mark.parametrize("package", ["", "a>b", "my package", "pkg.", "1pkg"])
def test_refuses_a_bad_package(package):
    with pytest.raises(KgenError, match="not a package name"):
        make_spec("loss", "Huber", package=package)


def test_refuses_a_body_that_does_not_parse_or_has_no_method():
    with pytest.raises(KgenError, match="does not parse"):
        make_spec("loss", "Huber", bodies={"call": "return ("})
    with pytest.raises(KgenError, match="no method 'build' in a loss"):
        make_spec("loss", "Huber", bodies={"build": "pass"})


def test_registered_name_uses_the_package():
    assert (
        make_spec("loss", "Huber", package="my_pkg").registered_name == "my_pkg>Huber"
    )
