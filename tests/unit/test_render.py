"""Templates render code as black lays it out, for components of usual names: black then
formats it in one pass instead of two, which halves most of a generation's time."""

from dataclasses import replace

import black
import pytest

from kgen.generate import template_of
from kgen.kinds import KINDS
from kgen.render import assert_equal_line, call_line, render
from kgen.spec import make_spec

REQUESTS = [
    (kind.name, style, params)
    for kind in KINDS.values()
    for style in kind.styles
    for params in ([], ["rate=0.5"], ["units:int=8", "rate=0.5"])
]


@pytest.mark.parametrize(("kind", "style", "params"), REQUESTS)
def test_rendered_code_is_already_as_black_writes_it(kind, style, params):
    name = "plateau_stopping" if style == "function" else "PlateauStopping"
    spec = make_spec(kind, name, params, style=style)
    test_options = {
        "third_party": (),
        "import_name": spec.names.module,
        "sys_path": None,
        "installed": False,
    }
    for which, options in ((0, {}), (1, test_options)):
        source = render(template_of(spec, which), spec, **options)
        assert black.format_str(source, mode=black.Mode()) == source


def test_kgens_own_templates_render_the_same_in_the_sandbox(tmp_path):
    """In a project, with templates of its own, every template renders sandboxed."""
    for kind, style, params in REQUESTS:
        spec = make_spec(kind, "Thing", params, style=style)
        sandboxed = replace(spec, user_templates=tmp_path)
        for which in (0, 1):
            options = {} if which == 0 else {"import_name": "thing", "sys_path": None}
            options["installed"] = False
            name = template_of(spec, which)
            assert render(name, sandboxed, **options) == render(name, spec, **options)


@pytest.mark.parametrize(
    "call",
    [
        "f(a, b)",
        (
            "model.compile(optimizer=optimizer, loss=SomeLongLossName(**ARGS), "
            "jit_compile=jit_compile)"
        ),
        "super().__init__("
        + ", ".join(f"argument_{i}=argument_{i}" for i in range(6))
        + ")",
        "model = keras.Sequential([keras.Input(shape=(4,)), "
        + ", ".join(f"keras.layers.Dense({i})" for i in range(8))
        + "])",
    ],
)
def test_call_line_lays_out_a_call_as_black_does(call):
    source = f"def f():\n    {call_line(call)}\n"
    assert black.format_str(source, mode=black.Mode()) == source


@pytest.mark.parametrize("width", [10, 25, 40])
def test_assert_equal_line_splits_as_black_does(width):
    left, right = "a" * width + ".get_config()", "b" * width + ".get_config()"
    source = f"def f():\n    {assert_equal_line(left, right)}\n"
    assert black.format_str(source, mode=black.Mode()) == source
