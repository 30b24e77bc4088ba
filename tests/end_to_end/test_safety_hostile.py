"""Hostile cases found by a review of 766 inputs, through the installed `kgen` command, by
family: the command line and its environment, where files go, specs and code. Each is
refused in one line with exit status 1 and nothing written, or, where it is no mistake of
the user's, simply works. No TensorFlow here.
"""

import ast
import os
import shutil
import subprocess

import pytest
from conftest import fill
from test_safety_inputs import assert_refused, folder_state

KGEN = shutil.which("kgen")


@pytest.fixture
def project(kgen, tmp_path):
    assert kgen("new", "demo").returncode == 0
    return tmp_path / "demo"


# The command line and its environment.


@pytest.mark.parametrize(
    ("args", "culprit"),
    [
        (["loss", "Huber", "--bogus"], "No such option: --bogus"),
        (["loss", "Huber", "--param"], "requires an argument"),
        (["loss", "Huber", "Extra"], "unexpected extra argument"),
        (["check", "keras.losses:Huber", "--write"], "not the module keras.losses"),
    ],
)
def test_usage_errors_exit_1(kgen, tmp_path, args, culprit):
    """Click's usage errors exit 2; kgen has one status for every refusal."""
    assert_refused(kgen(*args), culprit)
    assert folder_state(tmp_path) == []


@pytest.mark.parametrize("workers", ["lots", "0", "-2", "\u0663"])
@pytest.mark.parametrize(
    "args", [["build", "spec.toml"], ["check", "keras.losses:Huber"]]
)
def test_kgen_workers_must_be_a_count(kgen, tmp_path, workers, args):
    components = [f'[[component]]\nkind = "loss"\nname = "L{i}"\n' for i in range(16)]
    (tmp_path / "spec.toml").write_text("".join(components))
    before = folder_state(tmp_path)
    result = kgen(*args, env={**os.environ, "KGEN_WORKERS": workers})
    assert_refused(result, f"KGEN_WORKERS={workers!r}")
    assert folder_state(tmp_path) == before


def test_interactive_questions_without_answers_are_one_line(kgen, tmp_path):
    result = kgen("new", "demo", "--interactive", input="mypkg\n")
    assert_refused(result, "no answer: stdin ended")
    closed = subprocess.run(
        [KGEN, "new", "demo", "--interactive"],
        cwd=tmp_path,
        preexec_fn=lambda: os.close(0),
        capture_output=True,
        text=True,
    )
    assert_refused(closed, "--interactive asks on stdin, which is closed")
    assert folder_state(tmp_path) == []


def test_a_closed_stdout_is_refused_before_anything_is_written(tmp_path):
    """`kgen loss Huber >&-` used to write, then fail on its report, exiting 0."""
    result = subprocess.run(
        [KGEN, "loss", "Huber"],
        cwd=tmp_path,
        preexec_fn=lambda: os.close(1),
        stderr=subprocess.PIPE,
        text=True,
    )
    assert_refused(result, "stdout is closed")
    assert folder_state(tmp_path) == []


def test_a_deleted_working_directory_is_named(tmp_path):
    (tmp_path / "gone").mkdir()
    result = subprocess.run(
        ["sh", "-c", f'cd gone && rmdir ../gone && exec "{KGEN}" loss Huber'],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert_refused(result, "the current folder: No such file or directory")
    assert folder_state(tmp_path) == []


# Where files go.


def test_a_placed_module_keeps_its_test_in_the_project(kgen, project, tmp_path):
    """Else the module would land in the package with no export and no record."""
    outside = tmp_path / "outside"
    outside.mkdir()
    before = folder_state(tmp_path)
    result = kgen("loss", "Huber", "--tests-dir", outside, cwd=project)
    assert_refused(result, "--tests-dir")
    assert "leads outside the project" in result.stderr
    assert folder_state(tmp_path) == before
    both = kgen("loss", "Huber", "--out", outside, "--tests-dir", outside, cwd=project)
    assert both.returncode == 0, both.stderr  # loose files, as asked
    assert (outside / "huber.py").is_file()


@pytest.mark.parametrize(
    "option",
    [["--tests-dir", ".git/hooks"], ["--tests-dir", ".kgen"], ["--out", ".git"]],
)
def test_nothing_is_placed_in_gits_folder_or_kgens(kgen, project, option):
    """The manifest may not name such a file: recording one made every later command
    fail on the manifest."""
    (project / ".git" / "hooks").mkdir(parents=True)
    lock = [(".kgen", None), (".kgen/lock", b"")]  # the project's lock, taken to plan
    before = folder_state(project)
    result = kgen("loss", "Huber", *option, cwd=project)
    assert_refused(result, "is in git's folder or kgen's own")
    assert [e for e in folder_state(project) if e not in lock] == before
    assert kgen("loss", "Other", cwd=project).returncode == 0


def test_a_file_is_never_the_folder_of_another(kgen, tmp_path):
    result = kgen("loss", "Huber", "--tests-dir", "huber.py")
    assert_refused(result, "huber.py would be both a file and the folder of")
    assert folder_state(tmp_path) == []  # no empty huber.py/ left behind


@pytest.mark.parametrize("where", ["loose", "project"])
def test_names_near_the_limit_are_written_without_temporary_files(
    kgen, project, tmp_path, where
):
    """kgen's own temporary names never pass the file system's limit before the
    user's names do."""
    folder = project if where == "project" else tmp_path / "loose"
    folder.mkdir(exist_ok=True)
    name = "A" + "b" * 246  # test_abbb....py: 255 bytes
    result = kgen("loss", name, cwd=folder)
    assert result.returncode == 0, result.stderr
    written = [p.name for p in folder.rglob("*b" * 30 + "*.py")]
    assert sorted(map(len, written)) == [250, 255]
    assert not [p for p in folder.rglob(".*") if p.is_file() and p.name != ".gitignore"]


def test_a_full_disk_in_a_loose_folder_names_the_file(kgen, small_disk):
    fill(small_disk)
    result = kgen("loss", "Huber", cwd=small_disk)
    assert_refused(result, f"cannot write {small_disk / 'huber.py'}: No space left")
    assert [p.name for p in small_disk.iterdir()] == ["filler"]


def test_every_cache_is_in_kgen_cache_dir(kgen, tmp_path):
    home, cache = tmp_path / "home", tmp_path / "cache"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "KGEN_CACHE_DIR": str(cache)}
    env.pop("XDG_CACHE_HOME", None)
    assert kgen("loss", "Huber", env=env).returncode == 0
    assert kgen("new", "demo", env=env).returncode == 0
    assert kgen("layer", "Dense2", cwd=tmp_path / "demo", env=env).returncode == 0
    assert list(home.iterdir()) == []
    assert list((cache / "modules").iterdir())  # the modules a name may not shadow


def test_a_pyproject_whose_tool_is_no_table_is_no_project(kgen, tmp_path):
    (tmp_path / "pyproject.toml").write_text("tool = 1\n")
    (tmp_path / "loose").mkdir()
    result = kgen("loss", "Huber", cwd=tmp_path / "loose")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "loose" / "huber.py").is_file()


def test_a_pyproject_nested_too_deeply_is_one_line(kgen, tmp_path):
    deep = "[" * 5000 + "]" * 5000
    (tmp_path / "pyproject.toml").write_text(f"[tool.kgen]\nx = {deep}\n")
    before = folder_state(tmp_path)
    assert_refused(kgen("loss", "Huber"), "pyproject.toml: not valid TOML: nested")
    assert folder_state(tmp_path) == before


# Specs and code: what the README says is refused, and what Python cannot read.

_COMPONENT = '[[component]]\nkind = "{kind}"\nname = "{name}"\n'
_NESTED = _COMPONENT.format(kind="layer", name="W") + 'params = ["inner:layer"]\n'
_SUM = "+".join(["1"] * 40_000)


@pytest.mark.parametrize(
    ("spec", "culprit"),
    [
        ("component = [1]\n", "component 1 (?): expected a table"),
        (f"x = {'[' * 5000}{']' * 5000}\n", "not valid TOML: nested too deeply"),
        (
            _COMPONENT.format(kind="layer", name="A")
            + 'signatures.call = "inputs, inputs"\n',
            "the signature of call does not compile: duplicate argument 'inputs'",
        ),
        (
            _COMPONENT.format(kind="loss", name="A") + 'extra = "return 5"\n',
            "a.py does not compile: 'return' outside function",
        ),
        (
            _COMPONENT.format(kind="loss", name="A")
            + 'test.helpers = "import os as np"\n',
            "'np' is imported as numpy and as os",
        ),
        (
            _NESTED + 'test.samples.inner = "(keras := keras.layers.Dense(8))"\n',
            "'keras' is imported and bound again in",
        ),
        (
            _COMPONENT.format(kind="layer", name="A")
            + 'test.inputs = ["4:float32:"]\n',
            "--input '4:float32:': expected SHAPE:DTYPE[:HIGH]",
        ),
        (
            _COMPONENT.format(kind="loss", name="A")
            + f'bodies.call = "return {"+".join(["y_pred"] * 500)}"\n',
            "the body of call is nested 503 levels deep; at most 100",
        ),
        (
            _NESTED + f'test.samples.inner = "{_SUM}"\n',
            "--sample inner is nested too deeply for Python to read",
        ),
    ],
    ids=[
        "component-not-a-table",
        "toml-5000-deep",
        "argument-twice",
        "return-among-members",
        "helpers-rebind-np",
        "walrus-rebinds-keras",
        "empty-bound",
        "body-500-deep",
        "sample-40000-terms",
    ],
)
def test_specs_kgen_cannot_use_are_one_line(kgen, tmp_path, spec, culprit):
    (tmp_path / "spec.toml").write_text(spec)
    before = folder_state(tmp_path)
    assert_refused(kgen("build", "spec.toml"), culprit)
    assert folder_state(tmp_path) == before


def test_a_40000_term_sample_on_the_command_line_is_one_line(kgen, tmp_path):
    result = kgen("layer", "W", "-p", "inner:layer", "--sample", f"inner={_SUM}")
    assert_refused(result, "--sample inner is nested too deeply for Python to read")
    assert folder_state(tmp_path) == []


def test_a_deep_sample_within_the_bound_is_generated(kgen, tmp_path):
    """The bound refuses what black and pyflakes cannot read, nothing less."""
    sample = "keras.layers.Dense(" + "+".join(["1"] * 90) + ")"
    result = kgen("layer", "W", "-p", "inner:layer", "--sample", f"inner={sample}")
    assert result.returncode == 0, result.stderr
    expected = ast.dump(ast.parse(sample, mode="eval").body)
    tree = ast.parse((tmp_path / "test_w.py").read_text())
    assert any(ast.dump(node) == expected for node in ast.walk(tree))


def test_a_submission_nested_too_deeply_is_its_own_failed_row(kgen, tmp_path):
    """kgen check reads each file's names before its worker imports it."""
    (tmp_path / "deep.py").write_text(f"x = {_SUM}\n")
    result = kgen("check", "deep.py")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "cannot import deep: RecursionError" in result.stdout
