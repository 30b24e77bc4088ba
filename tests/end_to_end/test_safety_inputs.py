"""Hostile input through the installed `kgen` command: refused in one line with nothing
written, or accepted with code that compiles and names what it should. No TensorFlow here.
"""

import ast
import math
import os
import pty
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgen.errors import KgenError
from kgen.generate import module_source
from kgen.spec import make_spec


def folder_state(folder):
    return sorted(
        (str(p.relative_to(folder)), p.read_bytes() if p.is_file() else None)
        for p in Path(folder).rglob("*")
    )


def assert_refused(result, culprit):
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("kgen: error: ")
    assert "Traceback" not in result.stderr
    assert culprit in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("args", "culprit"),
    [
        # Modules that keras, tensorflow or pytest import, found in their metadata.
        (["loss", "Packaging"], "'packaging'"),
        (["loss", "Pygments"], "'pygments'"),
        (["loss", "Conftest"], "'conftest'"),
        # Names the generated test module binds itself, found in the rendered code.
        (["loss", "ARGS"], "'ARGS'"),
        (["loss", "Path"], "'Path'"),
        (["activation", "ops"], "'ops'"),
        (["activation", "np"], "'np'"),
        (["activation", "x"], "'x'"),
        (["loss", "make_data", "--style", "function"], "'make_data'"),
        (["loss", "build_model", "--style", "function"], "'build_model'"),
        (["loss", "test_foo", "--style", "function"], "collect test_foo"),
        # Params: which base argument or attribute they clash with.
        (
            ["loss", "Huber", "-p", "reduction"],
            "base argument reduction of keras.losses.Loss",
        ),
        (
            ["layer", "Thing", "-p", "weights"],
            "attribute weights of keras.layers.Layer",
        ),
        (["model", "Thing", "-p", "history"], "attribute history of keras.Model"),
        (["model", "Thing", "-p", "stop_training"], "stop_training"),
        (["initializer", "Thing", "-p", "seed=1.5"], "base argument seed"),
        (["loss", "Huber", "-p", "y_true", "--style", "function"], "argument y_true"),
        # Test profiles: digits int() reads but kgen's grammar has not, bounds past the
        # dtype, data beyond tiny, a profile the kind's own tests cannot take.
        (["layer", "L", "--input", "4:int32:\u00b2"], "--input '4:int32:\u00b2'"),
        (["loss", "L", "--target", "labels:\u00b2"], "--target 'labels:\u00b2'"),
        (["layer", "L", "--input", "4:int32:\uff14"], "exclusive upper bound"),
        (["layer", "L", "--input", "8:float16:100000"], "at most 65504"),
        (["layer", "L", "--input", "12:int16:40000"], "at most 32768"),
        (["layer", "L", "--input", "99999,99999"], "at most 100,000 values"),
        (["optimizer", "O", "--input", "8"], "a model of their own"),
        (["model", "M", "--metric", "d_loss"], "own train_step"),
        (["layer", "L", "-p", "units:int=4", "--sample", "a\nb=1"], "'a\\nb'"),
        # Code for a nested param's test value, compiled where it stands.
        (
            ["layer", "W", "-p", "inner:layer", "--sample", "inner=f(a=1, a=2)"],
            "repeated",
        ),
        (["layer", "W", "-p", "inner:layer", "--sample", "inner=(yield)"], "'yield'"),
        (
            ["layer", "W", "-p", "inner:layer", "--sample", "inner=f() # c"],
            "no comment",
        ),
        (["loss", "L", "--import", "import \udcff"], "not UTF-8 text"),
        # The file system's limits, before anything is written.
        (["loss", "A" + "b" * 247], "255-byte"),
        (["loss", "Huber", "-o", "b" * 256], "255-byte"),
        (["loss", "Huber", "-o", "b/" * 2100], "4096-byte"),
    ],
)
def test_refused_in_one_line_writing_nothing(kgen, tmp_path, args, culprit):
    assert_refused(kgen(*args), culprit)
    assert folder_state(tmp_path) == []


BODIES = [
    ("return await f()", "'await' outside async function (line 1)"),
    ("x = 1\nnonlocal q", "nonlocal 'q' found (line 2)"),
    ("for a in y_true:\n    pass\nbreak", "'break' outside loop (line 3)"),
    ("x = 1  # a\u2028return x", "U+2028 outside a string (line 1)"),
    ("x = 1  # a\fb\nreturn x", "U+000C outside a string (line 1)"),
    ("x = 1\n# \x85y = 2\nreturn x", "U+0085 outside a string (line 2)"),
    ("x = 1\rreturn x", "carriage return (line 1)"),
    ("return (", "does not parse"),
    (
        "x = 1\n    # kgen-explain: register\nreturn x",
        "'# kgen-explain:' line (line 2)",
    ),
]


@pytest.mark.parametrize(("code", "culprit"), BODIES)
def test_bodies_that_cannot_stand_in_their_method_are_refused(
    kgen, tmp_path, code, culprit
):
    spec = tmp_path / "spec.toml"
    spec.write_text(
        '[[component]]\nkind = "loss"\nname = "Thing"\n'
        f"bodies.call = {_toml_string(code)}\n",
        encoding="utf-8",
    )
    before = folder_state(tmp_path)
    result = kgen("build", spec)
    assert_refused(result, "the body of call")
    assert culprit in result.stderr
    assert folder_state(tmp_path) == before


def _toml_string(text):
    """A TOML basic string holding `text` exactly."""
    escaped = "".join(
        c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04X}" for c in text
    )
    return f'"{escaped}"'


@pytest.fixture
def project(kgen, tmp_path):
    assert kgen("new", "demo").returncode == 0
    return tmp_path / "demo"


@pytest.mark.parametrize(
    ("template", "content", "culprit"),
    [
        (
            "loss/module.py.j2",
            b"{{ 1/0 }}\n",
            "module.py.j2, line 1: ZeroDivisionError",
        ),
        ("loss/module.py.j2", b'{% extends "loss/module.py.j2" %}\n', "RecursionError"),
        ("loss/module.py.j2", b'{% include "absent.j2" %}\n', "absent.j2 not found"),
        ("_macros.j2", b"\xff\xfe{{ x }}\n", "_macros.j2 is not UTF-8 text"),
        ("_conftest.py.j2", b"{{ names }}\n", "_conftest.py.j2, line 1"),
    ],
)
def test_a_broken_user_template_is_one_line_naming_it(
    kgen, project, template, content, culprit
):
    path = project / "kgen_templates" / template
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    before = folder_state(project)
    assert_refused(kgen("loss", "Huber", cwd=project), culprit)
    assert folder_state(project) == before


@pytest.mark.parametrize(
    ("template", "culprit"),
    [
        (
            '{{ cycler.__init__.__globals__.os.system("touch ../PWNED") }}',
            "attribute '__init__'",
        ),
        (
            '{{ spec.user_templates.parent.joinpath("PWNED").write_text("x") }}',
            "attribute 'write_text' of 'PosixPath'",
        ),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "attribute '__class__'"),
    ],
)
def test_a_projects_templates_run_in_the_sandbox(kgen, project, template, culprit):
    """A cloned project's templates may not run code: what they reach is refused, with
    nothing written, inside the project or out of it."""
    path = project / "kgen_templates" / "loss" / "module.py.j2"
    path.parent.mkdir(parents=True)
    path.write_text(template + "\n")
    before = folder_state(project.parent)
    result = kgen("loss", "Huber", cwd=project)
    assert_refused(result, "refused by the sandbox")
    assert culprit in result.stderr
    assert folder_state(project.parent) == before


@pytest.mark.parametrize("how", ["the template", "a folder it includes from"])
def test_a_projects_template_never_reads_outside_its_folder(kgen, project, how):
    """A symlink in a cloned project's templates would render any file its user can
    read into the code kgen writes."""
    secret = project.parent / "secret.txt"
    secret.write_text("password = 'hunter2'\n")
    loss = project / "kgen_templates" / "loss"
    loss.mkdir(parents=True)
    if how == "the template":
        (loss / "module.py.j2").symlink_to(secret)
    else:
        (project / "kgen_templates" / "up").symlink_to(project.parent)
        (loss / "module.py.j2").write_text('{% include "up/secret.txt" %}\n')
    before = folder_state(project.parent)
    result = kgen("loss", "Huber", cwd=project)
    assert_refused(result, "leads outside")
    assert "hunter2" not in result.stdout + result.stderr
    assert folder_state(project.parent) == before


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_stdout_is_one_line_and_a_failure(tmp_path):
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [shutil.which("kgen"), "loss", "Huber"],
            cwd=tmp_path,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert_refused(result, "cannot write to stdout")
    assert (tmp_path / "huber.py").is_file()  # as git does: written, then reported


@pytest.mark.parametrize(
    ("environment", "coloured"),
    [({}, True), ({"NO_COLOR": "1"}, False), ({"TERM": "dumb"}, False)],
)
def test_colour_only_where_wanted(tmp_path, environment, coloured):
    """On a terminal, the verbs are coloured unless NO_COLOR or TERM=dumb says no."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    env.update({"TERM": "xterm", **environment})
    main, terminal = pty.openpty()
    subprocess.run(
        [shutil.which("kgen"), "loss", "Huber", "--no-tests"],
        cwd=tmp_path,
        stdout=terminal,
        env=env,
        check=True,
    )
    os.close(terminal)
    output = os.read(main, 4096).decode()
    os.close(main)
    assert "create" in output
    assert ("\x1b[" in output) is coloured


def _signature_defaults(source, method):
    function = next(
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef) and node.name == method
    )
    args = function.args
    defaults = [None] * (len(args.args) - len(args.defaults)) + args.defaults
    return {
        a.arg: ast.literal_eval(d) if d is not None else "required"
        for a, d in zip(args.args, defaults, strict=True)
    }


@pytest.mark.parametrize("seed", ["None", "42"])
def test_an_initializer_param_seed_is_the_base_seed_with_its_default(
    kgen, tmp_path, seed
):
    result = kgen(
        "initializer", "ScaledNormal", "-p", "stddev=0.05", "-p", f"seed:int={seed}"
    )
    assert result.returncode == 0, result.stderr
    source = (tmp_path / "scaled_normal.py").read_text()
    compile(source, "scaled_normal.py", "exec")
    assert _signature_defaults(source, "__init__") == {
        "self": "required",
        "stddev": 0.05,
        "seed": ast.literal_eval(seed),
    }


def _args_sample(test_source):
    for node in ast.parse(test_source).body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "ARGS":
            return ast.literal_eval(node.value)
    raise AssertionError("no ARGS")


@pytest.mark.parametrize(
    "param",
    ["x:float=1e308", "x:float=-1.7e308", "x:float=5e-324", "x:int=-1", "x:int=10**18"],
)
def test_samples_in_tests_are_finite_of_the_same_sign_and_no_larger(
    kgen, tmp_path, param
):
    param = param.replace("10**18", str(10**18))
    assert kgen("loss", "Thing", "-p", param).returncode == 0
    test_source = (tmp_path / "test_thing.py").read_text()
    compile(test_source, "test_thing.py", "exec")
    default = ast.literal_eval(param.partition("=")[2])
    sample = _args_sample(test_source)["x"]
    assert sample != default and type(sample) is type(default)
    assert math.isfinite(sample) and abs(sample) <= max(abs(default), 2)
    assert (sample < 0) == (default < 0)


# Bodies with multi-line strings (their contents holding line breaks of every kind), comments
# and nested functions: the generated method holds exactly the statements the body holds.
_STRING_TEXT = st.lists(
    st.sampled_from(
        ["a", " ", "    ", "\t", "\n", "\f", "\v", "\x1c", "\x85", "\u2028", "#"]
    ),
    max_size=20,
).map("".join)
_COMMENT_TEXT = st.text(
    st.sampled_from(["a", " ", "#", "\u2028", "\f", "\x1e"]), max_size=8
)


@st.composite
def statements(draw, depth=0):
    """A statement as lines, each with whether it may be indented (not inside a string)."""
    choice = draw(st.integers(0, 3 if depth < 2 else 2))
    if choice == 0:
        return [(f"v{draw(st.integers(0, 9))} = {draw(st.integers(0, 99))}", True)]
    if choice == 1:
        text_lines = f'"""{draw(_STRING_TEXT)}"""'.split("\n")
        return [
            (f"s = {text_lines[0]}", True),
            *((line, False) for line in text_lines[1:]),
        ]
    if choice == 2:
        return [(f"# {draw(_COMMENT_TEXT)}", True)]
    inner = draw(st.lists(statements(depth + 1), min_size=1, max_size=3))
    lines = [(f"def f{depth}(q):", True)]
    for statement in inner:
        lines += [("    " + line if free else line, free) for line, free in statement]
    return [*lines, ("    return q", True)]


@st.composite
def bodies(draw):
    """(the body, the same indented, whether a comment of it holds a line break)."""
    drawn = [[("v = 0", True)], *draw(st.lists(statements(), max_size=5))]
    drawn.append([("return y_pred", True)])
    lines = [line for statement in drawn for line in statement]
    margin = " " * draw(
        st.sampled_from([0, 4])
    )  # as TOML's multi-line strings often are
    indented = "\n".join(
        margin + line if free and line else line for line, free in lines
    )
    hostile = any(
        free
        and line.lstrip().startswith("#")
        and any(c in line for c in "\u2028\f\x1e")
        for line, free in lines
    )
    return "\n".join(line for line, _ in lines), indented, hostile


@settings(max_examples=60, deadline=None)
@given(bodies())
def test_a_body_reaches_the_module_statement_for_statement(drawn):
    plain, indented, hostile = drawn
    if hostile:  # comment text that Jinja would split into code: refused
        with pytest.raises(KgenError, match="outside a string"):
            make_spec("loss", "Thing", bodies={"call": indented})
        return
    spec = make_spec("loss", "Thing", bodies={"call": indented})
    tree = ast.parse(module_source(spec))
    call = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == "call"
    )
    assert [ast.dump(s) for s in call.body] == [
        ast.dump(s) for s in ast.parse(plain).body
    ]
