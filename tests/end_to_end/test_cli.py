"""The installed `kgen` command, run in a subprocess as a user runs it."""

import ast
import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

from kgen.support import stamped


def test_writes_module_and_test_with_one_line_per_file(kgen, tmp_path):
    result = kgen("loss", "Huber", "--param", "threshold")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "create",
        "huber.py",
        "create",
        "test_huber.py",
        "create",
        "conftest.py",
        "create",
        "kgen_harness.py",
    ]
    source = (tmp_path / "huber.py").read_text()
    assert "class Huber(keras.losses.Loss):" in source
    assert '@keras.saving.register_keras_serializable(package="Custom")' in source
    assert (tmp_path / "test_huber.py").is_file()


def test_generating_twice_is_identical_and_changes_nothing(kgen, tmp_path):
    kgen("layer", "SimpleDense", "-p", "units:int=32")
    stamps = {p: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    result = kgen("layer", "SimpleDense", "-p", "units:int=32")
    assert result.returncode == 0
    assert result.stdout.split() == [
        "identical",
        "simple_dense.py",
        "identical",
        "test_simple_dense.py",
        "identical",
        "conftest.py",
        "identical",
        "kgen_harness.py",
    ]
    assert {p: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == stamps


def test_a_support_file_is_updated_while_unedited_and_kept_once_edited(kgen, tmp_path):
    """Test modules of a newer kgen may need a newer harness: kgen replaces one it wrote
    (its stamp matches), and keeps one the user changed."""
    kgen("loss", "Huber")
    harness, conftest = tmp_path / "kgen_harness.py", tmp_path / "conftest.py"
    current = harness.read_text()
    body = current.partition("\n")[2]
    older = body.replace("def run_python(", "def run_python_as_before(")
    assert older != body
    harness.write_text(stamped(older))  # as an older kgen wrote it
    conftest.write_text(conftest.read_text() + "\nMINE = 1\n")  # the user's edit
    edited = conftest.read_text()
    result = kgen("layer", "SimpleDense")
    assert result.returncode == 0, result.stderr
    assert "update  kgen_harness.py" in result.stdout
    assert "skip  conftest.py" in result.stdout
    assert harness.read_text() == current and conftest.read_text() == edited


def test_a_different_existing_file_is_a_conflict_and_nothing_is_written(kgen, tmp_path):
    (tmp_path / "huber.py").write_text("# mine\n")
    result = kgen("loss", "Huber")
    assert result.returncode == 1
    assert "huber.py already exists and differs; use --force" in result.stderr
    assert (tmp_path / "huber.py").read_text() == "# mine\n"
    assert not (tmp_path / "test_huber.py").exists()
    forced = kgen("loss", "Huber", "--force")
    assert forced.returncode == 0
    assert forced.stdout.split()[:4] == [
        "overwrite",
        "huber.py",
        "create",
        "test_huber.py",
    ]


def test_a_conftest_of_the_users_own_is_left_alone(kgen, tmp_path):
    (tmp_path / "conftest.py").write_text("# mine\n")
    result = kgen("loss", "Huber")
    assert result.returncode == 0, result.stderr
    assert "skip  conftest.py" in result.stdout
    assert (tmp_path / "conftest.py").read_text() == "# mine\n"


def test_dry_run_shows_every_file_and_writes_nothing(kgen, tmp_path):
    result = kgen("metric", "PSNR", "--dry-run", "--out", "src", "--tests-dir", "tests")
    assert result.returncode == 0
    assert "create  src/psnr.py" in result.stdout
    assert "create  tests/test_psnr.py" in result.stdout
    assert "class PSNR(keras.metrics.Metric):" in result.stdout
    assert "def test_trains():" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_stdout_prints_the_module_and_writes_nothing(kgen, tmp_path):
    result = kgen("constraint", "NonNegative", "--stdout")
    assert result.returncode == 0
    ast.parse(result.stdout)
    assert "class NonNegative(keras.constraints.Constraint):" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_no_tests_and_package_options(kgen, tmp_path):
    result = kgen(
        "regularizer", "L1", "--no-tests", "--package", "my_pkg", "--out", "out"
    )
    assert result.stdout.split() == ["create", "out/l1.py"]
    assert 'package="my_pkg"' in (tmp_path / "out" / "l1.py").read_text()


def test_version_and_help_with_examples(kgen):
    assert kgen("--version").stdout.startswith("kgen ")
    module = subprocess.run(
        [sys.executable, "-m", "kgen", "--version"], capture_output=True, text=True
    )
    assert module.stdout == kgen("--version").stdout
    top = kgen("--help").stdout
    assert "kgen loss Huber --param threshold" in top
    for kind in (
        "loss",
        "layer",
        "metric",
        "regularizer",
        "initializer",
        "constraint",
        "model",
    ):
        assert kind in top
        assert f"kgen {kind} " in kgen(kind, "--help").stdout
    assert "--install-completion" in top


def test_no_arguments_show_the_help(kgen, tmp_path):
    for args in ([], ["loss"]):
        result = kgen(*args)
        assert result.stdout.startswith("Usage: kgen")
        assert "error" not in result.stdout + result.stderr
    assert list(tmp_path.iterdir()) == []


def imported_modules(args, cwd):
    """The top-level modules a `kgen` command imports, from Python's import trace."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    result = subprocess.run(
        [shutil.which("kgen"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return {
        line.split("|")[-1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }


def test_generating_never_imports_keras_or_a_backend(tmp_path):
    commands = [
        (["loss", "Huber", "--param", "threshold"], "."),
        (["new", "demo"], "."),
        (["layer", "SimpleDense", "-p", "units:int=4"], "demo"),
        (["destroy", "layer", "SimpleDense"], "demo"),
        (["eject", "loss"], "demo"),
        (["list", "--json"], "."),
    ]
    for args, cwd in commands:
        imported = imported_modules(args, tmp_path / cwd)
        assert "typer" in imported  # the import trace is real
        backends = {"tensorflow", "jax", "torch"}
        assert not imported & {*backends, "keras", "numpy"}, args


BAD_INPUTS = [
    (["widget", "Huber"], "unknown kind 'widget'"),
    (["loss", "my-loss"], "not an identifier"),
    (["loss", ""], "empty"),
    (["loss", "class"], "keyword"),
    (["loss", "Huber", "-p", "x:complex"], "unknown type 'complex'"),
    (["loss", "Huber", "-p", "x:int=1.5"], "is not of type int"),
    (["loss", "Huber", "-p", "x=oops"], "not a Python literal"),
    (["loss", "Huber", "-p", "x", "-p", "x=2.0"], "given twice"),
    (["loss", "Huber", "-p", "reduction"], "clashes"),
    (["loss", "Huber", "-p", "for"], "keyword"),
    (["layer", "Dense2", "-p", "trainable:bool=True"], "clashes"),
    (["loss", "Huber", "--out", "a_file"], "is a file"),
    (["loss", "Huber", "--tests-dir", "a_file/sub"], "is a file"),
    (["loss", "Huber", "--out", "/proc/kgen_test"], "cannot write /proc/kgen_test"),
    (
        ["loss", "Huber", "--out", "new/sub", "--tests-dir", "/proc/kgen_test"],
        "cannot write",
    ),
    (["loss", "Huber", "--package", "a>b"], "not a package name"),
    (["loss", "Huber", "--package", ""], "--package '' is not a package name"),
    (["loss", "Huber", "--dry-run", "--stdout"], "do not go together"),
    (["loss", "Huber", "--bogus"], "No such option"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUTS, ids=lambda v: str(v)[:40])
def test_bad_input_gets_one_line_a_nonzero_exit_and_writes_nothing(
    kgen, tmp_path, args, message
):
    (tmp_path / "a_file").write_text("keep me\n")
    result = kgen(*args)
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("kgen: error: ")
    assert message in lines[0]
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]
    assert (tmp_path / "a_file").read_text() == "keep me\n"


def test_user_text_becomes_a_harmless_string_literal(kgen, tmp_path):
    payload = '"); import os #'
    result = kgen("loss", "Evil", "-p", f"mode:str={payload}", "-p", 'tag=\'"""\\\\\'')
    assert result.returncode == 0, result.stderr
    tree = ast.parse((tmp_path / "evil.py").read_text())
    init = next(
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef) and n.name == "__init__"
    )
    defaults = {a.arg: d.value for a, d in zip(init.args.args[1:], init.args.defaults)}
    assert defaults["mode"] == payload
    assert defaults["tag"] == '"""\\'
    imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert all(alias.name != "os" for n in imports for alias in n.names)
    docstring = ast.get_docstring(
        next(n for n in tree.body if isinstance(n, ast.ClassDef))
    )
    assert repr(payload) in docstring


def test_the_readme_documents_every_option(kgen):
    readme = (ROOT / "README.md").read_text()
    table = readme.split("### Options", 1)[1].split("\n\n", 2)[1]
    documented = set(re.findall(r"`(--[a-z-]+)", table))
    offered = set(re.findall(r"(--[a-z-]+)", kgen("loss", "--help").stdout))
    offered |= set(re.findall(r"(--[a-z-]+)", kgen("--help").stdout))
    assert offered - {"--help", "--show-completion"} <= documented
    for command in ("build", "explain", "new", "destroy", "eject", "list"):
        options = set(re.findall(r"(--[a-z-]+)", kgen(command, "--help").stdout))
        for option in options - {"--help"}:
            assert re.search(rf"kgen {command} .*{option}|`{option}", readme), (
                command,
                option,
            )


def test_a_broken_template_cache_never_stops_generation(kgen, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "templates").write_text("not a folder")
    env = {**os.environ, "KGEN_CACHE_DIR": str(cache)}
    first = kgen("loss", "Huber", "--stdout", env=env)
    assert first.returncode == 0, first.stderr
    assert "class Huber(keras.losses.Loss):" in first.stdout

    (cache / "templates").unlink()
    kgen("loss", "Huber", "--stdout", env=env)
    cached = list((cache / "templates").iterdir())
    assert cached  # the cache is used when it can be
    for path in cached:
        path.write_bytes(b"garbage")
    again = kgen("loss", "Huber", "--stdout", env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout


def test_compiled_templates_stay_in_kgens_cache_folder(kgen, tmp_path):
    """Not in Jinja's default folder, `$TMPDIR/_jinja2-cache-<uid>`, which anyone can plant
    first: a symlink there would make the cache chmod, and write into, its target."""
    temp, target, cache = tmp_path / "temp", tmp_path / "target", tmp_path / "cache"
    temp.mkdir()
    target.mkdir(mode=0o755)
    (temp / f"_jinja2-cache-{os.getuid()}").symlink_to(target)
    env = {**os.environ, "TMPDIR": str(temp), "KGEN_CACHE_DIR": str(cache)}
    for args, cwd in ((["new", "demo"], tmp_path), (["loss", "Huber"], tmp_path)):
        assert kgen(*args, cwd=cwd, env=env).returncode == 0
    assert kgen("loss", "Focal", cwd=tmp_path / "demo", env=env).returncode == 0
    assert target.stat().st_mode & 0o777 == 0o755
    assert list(target.iterdir()) == []
    assert [p.name for p in temp.iterdir()] == [f"_jinja2-cache-{os.getuid()}"]
    assert list((cache / "templates").iterdir())
    assert list((cache / "templates-sandboxed").iterdir())  # the project's


@pytest.mark.parametrize(
    ("kind", "style"),
    [
        ("layer", "class"),
        ("model", "class"),
        ("loss", "function"),
        ("activation", "function"),
    ],
)
def test_explain_walks_through_a_kind(kgen, kind, style):
    from kgen.explanations import NOTES, steps

    result = kgen("explain", kind, "--style", style)
    assert result.returncode == 0, result.stderr
    for number, step in enumerate(steps(kind, style), start=1):
        assert f"{number}. {step.piece}" in result.stdout
        for key in step.notes:
            assert " ".join(NOTES[key].text.split()[:5]) in " ".join(
                result.stdout.split()
            )


def test_explain_refuses_an_unknown_kind_or_style(kgen):
    result = kgen("explain", "lose")
    assert result.returncode == 1 and "unknown kind 'lose'" in result.stderr
    result = kgen("explain", "layer", "--style", "function")
    assert result.returncode == 1
    assert (
        result.stderr
        == "kgen: error: --style 'function': a layer can be written as: class\n"
    )


def test_activation_is_a_function_unless_asked_for_a_class(kgen, tmp_path):
    assert kgen("activation", "ScaledTanh", "-p", "scale=1.0").returncode == 0
    source = (tmp_path / "scaled_tanh.py").read_text()
    assert "def make_scaled_tanh(scale=1.0):" in source
    assert (
        '@keras.saving.register_keras_serializable(package="Custom", name="scaled_tanh")'
        in source
    )
    result = kgen(
        "activation", "ScaledTanh", "-p", "scale=1.0", "--style", "class", "--force"
    )
    assert result.returncode == 0, result.stderr
    source = (tmp_path / "scaled_tanh.py").read_text()
    assert "class ScaledTanh(keras.layers.Layer):" in source


def test_explain_adds_comments_and_leaves_the_code_as_it_is(kgen, tmp_path):
    kgen("layer", "Lean", "--no-tests")
    kgen("layer", "Lean", "--no-tests", "--explain", "--out", "explained")
    lean = (tmp_path / "lean.py").read_text()
    explained = (tmp_path / "explained" / "lean.py").read_text()
    assert len(explained.splitlines()) > len(lean.splitlines()) + 10

    def code(source):
        return [
            line for line in source.splitlines() if not line.strip().startswith("#")
        ]

    assert code(explained) == code(lean)
