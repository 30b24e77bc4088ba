"""generated_examples/: up to date with the templates, and every example trains and passes its tests."""

import ast
import importlib
import json
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT, assert_clean_code, passed_and_skipped, run_pytest

from kgen.spec import make_spec
from kgen.support import support_contents, unedited

SPEC = EXAMPLES / "examples.toml"
EXPLAINED = EXAMPLES / "explained"
MODULES = sorted(
    p.stem
    for p in EXAMPLES.glob("*.py")
    if not p.name.startswith("test_")
    and p.name not in ("conftest.py", "kgen_harness.py")
)
# The build spec's entries, and each one's module.
ENTRIES = tomllib.loads(SPEC.read_text())["component"]
MODULE_OF = {
    entry["name"]: make_spec(entry["kind"], entry["name"]).names.module
    for entry in ENTRIES
}
# The examples written for another backend than TensorFlow (a model's train_step), whose
# tests skip on TensorFlow: tests/end_to_end/test_backend_models.py runs their own tests,
# heavy ones included, on theirs.
OTHER_BACKENDS = {
    MODULE_OF[entry["name"]]: entry["backend"]
    for entry in ENTRIES
    if entry.get("backend", "tensorflow") != "tensorflow"
}


def test_examples_are_what_kgen_builds_today(kgen):
    result = kgen("build", SPEC, "--check", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "76 files up to date" in result.stdout
    result = kgen("build", EXPLAINED / "examples.toml", "--check", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "8 files up to date" in result.stdout
    # --check takes an edited support file for the user's own: these must be kgen's.
    for folder in (EXAMPLES, EXPLAINED):
        for name in support_contents():
            assert unedited((folder / name).read_text()), folder / name


def test_check_names_each_file_that_differs(kgen, tmp_path):
    shutil.copytree(EXAMPLES, tmp_path / "ex")
    (tmp_path / "ex" / "huber.py").write_text("# edited\n")
    (tmp_path / "ex" / "test_psnr.py").unlink()
    result = kgen("build", "ex/examples.toml", "--check")
    assert result.returncode == 1
    assert "ex/huber.py" in result.stderr and "ex/test_psnr.py" in result.stderr
    assert "ex/simple_dense.py" not in result.stderr
    assert (tmp_path / "ex" / "huber.py").read_text() == "# edited\n"


def test_build_into_an_empty_folder_writes_the_checked_in_files(kgen, tmp_path):
    result = kgen("build", SPEC, "--out", tmp_path / "fresh")
    assert result.returncode == 0, result.stderr
    for path in sorted((tmp_path / "fresh").iterdir()):
        assert path.read_text() == (EXAMPLES / path.name).read_text(), path.name


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "[[component]]\nkind = 'loss'\nname = 'A'\ncolour = 1\n",
            "unknown keys 'colour'",
        ),
        (
            "[[component]]\nkind = 'loss'\nname = 'A'\n[component.bodies]\ncall = 'return ('\n",
            "body of call does not parse",
        ),
        (
            "[[component]]\nkind = 'loss'\nname = 'A'\nparams = 'x'\n",
            "params must be a list",
        ),
        ("[[component]]\nkind = 'los'\nname = 'A'\n", "unknown kind 'los'"),
        ("nonsense = [", "not valid TOML"),
        ("package = 'p'\n", "no [[component]] tables"),
    ],
)
def test_a_bad_spec_is_one_clear_line(kgen, tmp_path, content, message):
    (tmp_path / "spec.toml").write_text(content)
    result = kgen("build", "spec.toml")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"]


def test_the_huber_tests_stay_short_enough_to_read():
    """Machinery lives in kgen_harness.py: a test module reads top to bottom."""
    assert len((EXAMPLES / "test_huber.py").read_text().splitlines()) <= 120


def test_examples_are_public_keras_3_and_ruff_and_black_clean():
    assert_clean_code(EXAMPLES)
    assert_clean_code(EXPLAINED)


# The examples' own tests that kgen check cannot render alike: the math against each
# example's numpy reference, a model's default test_step checked against its loss, and
# what a function-style closure's saved model keeps (a hand-written closure's factory is
# not found). Every other test of theirs, fast or heavy, runs through kgen check (the
# heavy test below), from the same templates and profile.
OWN_ONLY = "reference_math or evaluate_runs_its_test_step or keeps_the_name_not_the_hyperparameters"


def test_every_example_passes_its_own_reference_tests():
    result = run_pytest(EXAMPLES, "--ignore=explained", "-k", OWN_ONLY)
    passed, _ = passed_and_skipped(result)
    assert passed >= len(MODULES) - len(OTHER_BACKENDS)


@pytest.mark.parametrize("path", sorted(EXPLAINED.glob("*.py")), ids=lambda p: p.name)
def test_the_explained_examples_are_the_plain_code_with_comments(path):
    """So their tests need not run again: the code (the tests' too), docstrings aside,
    is the plain example's, registered under their own package."""
    if path.name in ("conftest.py", "kgen_harness.py"):
        return
    plain = (EXAMPLES / path.name).read_text()
    explained = path.read_text().replace('"Explained', '"Custom')
    assert _code(explained) == _code(plain)
    if not path.name.startswith("test_"):  # the tests are alike, comments and all
        assert len(explained.splitlines()) > len(plain.splitlines())


def _code(source: str) -> str:
    """The module as Python reads it, without its docstrings."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


@pytest.mark.heavy
def test_every_example_passes_kgen_check_heavy_contracts_included():
    """kgen check on the plain examples (their profiles, and the types of params a
    constructor's None hides, from their build spec), the heavy contracts included:
    every test of each example's own test module but OWN_ONLY's (the same templates and
    profile render them; their names are compared), so those do not run a second time.
    They are named as modules, as Python imports them from this folder: modules given
    by their names share processes (a file is a submission, with a process of its own),
    so TensorFlow starts four times, not once an example. The models written for JAX
    or torch are left to their own tests on their backend."""
    # MODULE:Name: a module has its imports' names too (vae's Sampling).
    targets = {module: name for name, module in MODULE_OF.items()}
    modules = [module for module in MODULES if module not in OTHER_BACKENDS]
    result = subprocess.run(
        [
            "kgen",
            "check",
            *(f"{module}:{targets[module]}" for module in modules),
            "--profiles",
            "examples.toml",
            "--heavy",
            "--json",
            "--backend",
            "tensorflow",
        ],
        cwd=EXAMPLES,
        capture_output=True,
        text=True,
        timeout=1500,
        # Four processes on two cores: each waits on the processes its heavy tests start.
        env={**os.environ, "KGEN_WORKERS": "4"},
    )
    report = json.loads(result.stdout)
    failed = {
        c["component"]: [r["message"] for r in c["contracts"] if not r["passed"]]
        or c["problem"]
        for record in report["files"]
        for c in record["components"]
        if not c["passed"]
    }
    assert result.returncode == 0 and not failed, failed
    assert [record["module"] for record in report["files"]] == modules
    for record in report["files"]:
        own = _tests(EXAMPLES / f"test_{record['module']}.py")
        (component,) = record["components"]
        checked = {row["contract"] for row in component["contracts"]}
        assert own and own <= checked, (record["target"], own - checked)


def _tests(path: Path) -> set[str]:
    """The test functions of a module, but those OWN_ONLY selects."""
    return {
        node.name
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.FunctionDef)
        and node.name.startswith("test_")
        and not any(part in node.name for part in OWN_ONLY.split(" or "))
    }


def test_every_keras_object_type_round_trips_with_a_value_other_than_its_default(
    monkeypatch,
):
    """Some example has a param of each Keras object type, tested with a value other than
    its default: its saved-model tests prove that the value comes back from `.keras`."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    covered = set()
    for entry in ENTRIES:
        spec = make_spec(entry["kind"], entry["name"], entry.get("params", []))
        if spec.names.module in OTHER_BACKENDS:
            continue
        tests = importlib.import_module(f"test_{spec.names.module}")
        for param in spec.params:
            if param.type.keras_module and param.sample_at(2) != param.default:
                assert tests.ARGS[param.name] == param.sample_at(2)
                assert "test_saved_model_loads_without_custom_objects" in dir(tests)
                covered.add(param.type.keras_module)
    assert covered == {"activations", "initializers", "regularizers", "constraints"}
