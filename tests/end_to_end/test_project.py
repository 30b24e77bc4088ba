"""Projects: `kgen new`, generating inside a project, destroy, user templates, eject, list.

All through the installed command, on real files. The end-to-end run of a project's own tests
is in test_project_end_to_end.py (heavy).
"""

import json
import os
import shutil
import subprocess
import tomllib

import pytest
from conftest import assert_clean_code

from kgen.kinds import KINDS
from kgen.params import TYPES
from kgen.render import TEMPLATES


def files_under(folder):
    """Every file below `folder` with its text, to prove that nothing changed; but for the
    lock file that kgen keeps in its private folder (test_safety.py checks that folder).
    """
    return {
        path.relative_to(folder).as_posix(): path.read_text()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.parts[-2:] != (".kgen", "lock")
    }


@pytest.fixture
def demo(kgen, tmp_path):
    result = kgen("new", "demo")
    assert result.returncode == 0, result.stderr
    return tmp_path / "demo"


def run_ok(kgen, *args, cwd):
    result = kgen(*args, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return result


def run_error(kgen, *args, cwd):
    """A refusal: one line on stderr, a non-zero exit, no traceback."""
    result = kgen(*args, cwd=cwd)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kgen: error: "), result.stderr
    return lines[0]


def test_new_renders_the_skeleton(demo):
    pyproject = tomllib.loads((demo / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == "demo"
    assert pyproject["tool"]["kgen"]["package"] == "demo"
    backend = pyproject["tool"]["kgen"]["backend"]  # KERAS_BACKEND, else tensorflow
    extras = pyproject["project"]["optional-dependencies"]
    assert extras["test"] == ["pytest>=8", f"demo[{backend}]"]
    assert {"tensorflow", "jax", "torch"} <= set(extras)
    # No backend is a dependency of its own: each is an extra.
    assert {dep.split(">")[0] for dep in pyproject["project"]["dependencies"]} == {
        "keras",
        "numpy",
    }
    package = demo / "src" / "demo"
    subpackages = {path.parent.name for path in package.glob("*/__init__.py")}
    assert subpackages == {kind.subpackage for kind in KINDS.values()}
    init = (package / "__init__.py").read_text()
    for subpackage in subpackages:
        assert f"from . import {subpackage} as {subpackage}\n" in init
    readme = (demo / "README.md").read_text()
    assert 'python -m pip install -e ".[test]"\npython -m pytest\n' in readme
    assert "__pycache__/" in (demo / ".gitignore").read_text()
    assert (demo / "tests" / "conftest.py").is_file()
    assert_clean_code(demo, project=True)
    assert not list(demo.parent.glob(".kgen-new-*"))  # the staging folder is gone


def test_new_takes_what_cookiecutter_would_ask(kgen, tmp_path):
    author = 'Ada "{{ cookiecutter.package }}" Lovelace\\'
    run_ok(
        kgen,
        "new",
        "my-components",
        "--out",
        "projects",
        "--package",
        "mycomp",
        "--author",
        author,
        "--email",
        "ada@example.org",
        "--description",
        "Layers {% raw %} for {{ x }}",
        cwd=tmp_path,
    )
    root = tmp_path / "projects" / "my-components"
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    assert pyproject["project"]["authors"] == [
        {"name": author, "email": "ada@example.org"}
    ]
    assert pyproject["project"]["description"] == "Layers {% raw %} for {{ x }}"
    assert pyproject["tool"]["kgen"]["package"] == "mycomp"
    assert (root / "src" / "mycomp" / "losses" / "__init__.py").is_file()


def test_the_skeleton_is_a_cookiecutter_template_of_its_own(kgen, tmp_path):
    """Plain cookiecutter renders the same project from it (kgen adds the tests'
    conftest.py and kgen_harness.py), its own defaults deriving the package as kgen does.
    """
    run_ok(
        kgen,
        "new",
        "My-Lib.2",
        "--out",
        "kgen",
        "--backend",
        "tensorflow",
        cwd=tmp_path,
    )
    subprocess.run(
        [
            shutil.which("cookiecutter"),
            "--no-input",
            "--output-dir",
            tmp_path / "cookiecutter",
            TEMPLATES / "project",
            "project_name=My-Lib.2",
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "HOME": str(tmp_path)},  # its replay file goes here
        timeout=60,
    )
    made = files_under(tmp_path / "kgen" / "My-Lib.2")
    assert made.pop("tests/conftest.py")
    assert made.pop("tests/kgen_harness.py")
    assert made == files_under(tmp_path / "cookiecutter" / "My-Lib.2")
    assert "src/my_lib_2/__init__.py" in made


def test_new_asks_what_the_options_leave_out_when_interactive(kgen, tmp_path):
    result = kgen(
        "new",
        "my-lib",
        "-i",
        "--author",
        "Ada",
        input="mylib\n\nada@example.org\njax\n",
    )
    assert result.returncode == 0, result.stderr
    assert "package [my_lib]: " in result.stdout
    assert "author" not in result.stdout  # given as an option: not asked
    project = tomllib.loads((tmp_path / "my-lib" / "pyproject.toml").read_text())
    assert project["tool"]["kgen"]["package"] == "mylib"
    assert project["project"]["description"] == (
        "Custom Keras 3 components: the mylib package."
    )
    assert project["project"]["authors"] == [
        {"name": "Ada", "email": "ada@example.org"}
    ]
    assert project["tool"]["kgen"]["backend"] == "jax"


def test_new_project_s_tests_install_its_backend(kgen, tmp_path):
    """The backend is an extra: the test extra takes the project's, and its README's
    set-up takes torch's CPU build from PyTorch's index."""
    run_ok(kgen, "new", "on-torch", "--backend", "torch", cwd=tmp_path)
    root = tmp_path / "on-torch"
    project = tomllib.loads((root / "pyproject.toml").read_text())
    assert project["tool"]["kgen"]["backend"] == "torch"
    assert project["project"]["optional-dependencies"]["test"][-1] == "on-torch[torch]"
    assert (
        '-e ".[test]" --extra-index-url https://download.pytorch.org/whl/cpu\n'
        in (root / "README.md").read_text()
    )
    result = run_ok(kgen, "model", "M", "--stdout", cwd=root)
    assert "loss.backward()" in result.stdout  # the project's backend, torch
    assert "unknown backend 'tf'" in run_error(
        kgen, "new", "x", "--backend", "tf", cwd=tmp_path
    )
    assert not (tmp_path / "x").exists()


def test_new_derives_the_package_from_the_name(kgen, tmp_path):
    run_ok(kgen, "new", "Keras-Extras.v2", cwd=tmp_path)
    assert (tmp_path / "Keras-Extras.v2" / "src" / "keras_extras_v2").is_dir()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "my project"], "not a project name"),
        (["new", "-bad"], "No such option"),
        (["new", "demo", "--package", "keras"], "shadow"),
        (["new", "demo", "--package", "my-pkg"], "not a Python package name"),
        (["new", "9lives"], "not a Python package name"),
        (["new", "demo", "--package", ""], "--package '' is not a Python package name"),
        (["new", "demo", "--author", "two\nlines"], "--author must be one line"),
        (["new", "taken"], "already exists"),
        (["new", "demo", "--out", "a_file"], "not a directory"),
        (["new", "demo", "--out", "/proc/kgen_test/deeper"], "cannot create"),
    ],
    ids=lambda v: str(v)[:40],
)
def test_new_refuses_bad_input_and_writes_nothing(kgen, tmp_path, args, message):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "mine.txt").write_text("keep me\n")
    (tmp_path / "a_file").write_text("keep me\n")
    before = files_under(tmp_path)
    assert message in run_error(kgen, *args, cwd=tmp_path)
    assert files_under(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file", "taken"]


def test_inside_a_project_each_kind_goes_to_its_subpackage(kgen, demo):
    result = run_ok(kgen, "loss", "Huber", "-p", "threshold", cwd=demo)
    losses = demo / "src" / "demo" / "losses"
    assert [line.split() for line in result.stdout.splitlines()] == [
        ["create", "src/demo/losses/huber.py"],
        ["create", "tests/losses/test_huber.py"],
        ["identical", "tests/conftest.py"],
        ["identical", "tests/kgen_harness.py"],
        ["update", "src/demo/losses/__init__.py"],
        ["create", "kgen-manifest.json"],
    ]
    assert (
        '@keras.saving.register_keras_serializable(package="demo")'
        in (losses / "huber.py").read_text()
    )
    test = (demo / "tests" / "losses" / "test_huber.py").read_text()
    assert "from demo.losses.huber import Huber\n" in test
    assert "sys.path.insert(0, str(Path(__file__)" not in test  # installed: by name
    assert (
        (losses / "__init__.py")
        .read_text()
        .endswith("\n\nfrom .huber import Huber as Huber\n")
    )
    for kind in KINDS.values():
        # From a folder deep inside the project, as `rails generate` works anywhere in an app.
        run_ok(kgen, kind.name, f"{kind.name}_thing", cwd=demo / "src" / "demo")
        module = demo / "src" / "demo" / kind.subpackage / f"{kind.name}_thing.py"
        assert module.is_file()
        assert (
            demo / "tests" / kind.subpackage / f"test_{kind.name}_thing.py"
        ).is_file()
        assert (
            f"from .{kind.name}_thing import "
            in (module.parent / "__init__.py").read_text()
        )
    assert_clean_code(demo, project=True)


def test_exports_stay_sorted_unique_and_leave_user_lines_alone(kgen, demo):
    init = demo / "src" / "demo" / "layers" / "__init__.py"
    init.write_text(
        init.read_text()
        + "\nfrom .mid import Mid as Mid  # kept by hand\n\nVERSION = 2  # mine\n"
    )
    for name in ("Zeta", "Alpha", "Omega", "Alpha"):
        run_ok(kgen, "layer", name, "--force", cwd=demo)
    text = init.read_text()
    exports = [line for line in text.splitlines() if line.startswith("from .")]
    assert exports == [
        "from .alpha import Alpha as Alpha",
        "from .mid import Mid as Mid  # kept by hand",
        "from .omega import Omega as Omega",
        "from .zeta import Zeta as Zeta",
    ]
    assert text.endswith("\nVERSION = 2  # mine\n")
    assert text.startswith('"""The layers of demo')


def test_command_line_options_win_over_the_project(kgen, demo):
    pyproject = demo / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace("# explain = true", "explain = true")
    )
    run_ok(kgen, "loss", "Huber", cwd=demo)
    assert "# kgen-explain" not in (demo / "src/demo/losses/huber.py").read_text()
    assert "get_config" in (demo / "src/demo/losses/huber.py").read_text()
    explained = (demo / "src/demo/losses/huber.py").read_text()
    run_ok(kgen, "loss", "Lean", "--no-explain", "--package", "Other", cwd=demo)
    lean = (demo / "src/demo/losses/lean.py").read_text()
    assert len(lean.splitlines()) < len(explained.splitlines())
    assert 'register_keras_serializable(package="Other")' in lean
    run_ok(kgen, "metric", "Loose", "--out", "scratch", cwd=demo)
    assert (demo / "scratch" / "loose.py").is_file()
    assert (demo / "scratch" / "test_loose.py").is_file()
    assert "loose" not in (demo / "src/demo/metrics/__init__.py").read_text()
    run_ok(kgen, "metric", "Far", "--out", "../outside", cwd=demo)
    assert (demo.parent / "outside" / "far.py").is_file()
    # Outside the project: loose files, no record, and destroy never reaches them.
    assert "far" not in (demo / "kgen-manifest.json").read_text()
    assert "no metric 'far' was generated" in run_error(
        kgen, "destroy", "metric", "Far", cwd=demo
    )
    assert (demo.parent / "outside" / "far.py").is_file()
    run_ok(kgen, "destroy", "metric", "Loose", cwd=demo)
    # Only the shared conftest.py and kgen_harness.py stay, which other tests may use.
    shared = ["conftest.py", "kgen_harness.py"]
    assert sorted(p.name for p in (demo / "scratch").iterdir()) == shared


def test_destroy_takes_back_exactly_what_was_generated(kgen, demo):
    before = files_under(demo)
    run_ok(kgen, "loss", "Huber", "-p", "threshold", cwd=demo)
    run_ok(kgen, "metric", "PSNR", cwd=demo)
    after_psnr = files_under(demo)
    run_ok(kgen, "loss", "Other", cwd=demo)
    result = run_ok(kgen, "destroy", "loss", "Other", cwd=demo)
    assert [line.split()[0] for line in result.stdout.splitlines()] == [
        "remove",
        "remove",
        "update",
        "update",
    ]
    assert files_under(demo) == after_psnr
    (demo / "tests" / "losses" / "__pycache__").mkdir()  # as a test run leaves it
    run_ok(kgen, "destroy", "loss", "Huber", cwd=demo)
    result = run_ok(kgen, "destroy", "metric", "psnr", cwd=demo)
    assert "   remove  tests/metrics\n" in result.stdout
    after = files_under(demo)
    assert json.loads(after.pop("kgen-manifest.json"))["components"] == {}
    assert after == before
    assert not (demo / "tests" / "losses").exists()


def test_destroy_refuses_an_edited_component_unless_forced(kgen, demo):
    run_ok(kgen, "layer", "SimpleDense", "-p", "units:int=4", cwd=demo)
    module = demo / "src" / "demo" / "layers" / "simple_dense.py"
    module.write_text(module.read_text().replace("TODO", "DONE"))
    before = files_under(demo)
    message = run_error(kgen, "destroy", "layer", "SimpleDense", cwd=demo)
    assert "src/demo/layers/simple_dense.py changed since kgen generated it" in message
    assert "--force" in message
    assert files_under(demo) == before
    run_ok(kgen, "destroy", "layer", "SimpleDense", "--force", "--dry-run", cwd=demo)
    assert files_under(demo) == before
    run_ok(kgen, "destroy", "layer", "SimpleDense", "--force", cwd=demo)
    assert not module.exists()
    assert "simple_dense" not in (module.parent / "__init__.py").read_text()


def test_destroy_refuses_what_it_did_not_generate(kgen, demo, tmp_path):
    assert "no loss 'huber' was generated" in run_error(
        kgen, "destroy", "loss", "Huber", cwd=demo
    )
    assert "unknown kind" in run_error(kgen, "destroy", "lossy", "Huber", cwd=demo)
    (demo / "kgen-manifest.json").write_text("{not json")
    assert "kgen-manifest.json is damaged" in run_error(
        kgen, "destroy", "loss", "Huber", cwd=demo
    )
    outside = tmp_path / "outside"
    outside.mkdir()
    assert "works inside a project" in run_error(
        kgen, "destroy", "loss", "Huber", cwd=outside
    )


def test_user_templates_win_and_eject_starts_them(kgen, demo):
    result = run_ok(kgen, "eject", "loss", cwd=demo)
    ejected = demo / "kgen_templates" / "loss"
    built_in = sorted(p.name for p in (TEMPLATES / "loss").glob("*.j2"))
    assert sorted(p.name for p in ejected.iterdir()) == built_in
    assert result.stdout.count("create") == len(built_in)
    for name in built_in:
        assert (ejected / name).read_text() == (TEMPLATES / "loss" / name).read_text()
    assert "identical" in run_ok(kgen, "eject", "loss", cwd=demo).stdout
    module = ejected / "module.py.j2"
    module.write_text(
        module.read_text().replace(
            '    def {{ spec.signature("call", "y_true, y_pred") }}:\n',
            '    def {{ spec.signature("call", "y_true, y_pred") }}:\n'
            "        # House style: checked.\n",
        )
    )
    run_ok(kgen, "loss", "Huber", cwd=demo)
    assert "# House style: checked." in (demo / "src/demo/losses/huber.py").read_text()
    run_ok(kgen, "metric", "PSNR", cwd=demo)  # other kinds: the built-in templates
    assert "already exists and differs" in run_error(kgen, "eject", "loss", cwd=demo)
    run_ok(kgen, "eject", "metric", "--shared", cwd=demo)
    shared = sorted(p.name for p in TEMPLATES.glob("_*.j2"))
    assert sorted(p.name for p in (demo / "kgen_templates").glob("_*.j2")) == shared
    base = demo / "kgen_templates" / "_module.py.j2"
    base.write_text(base.read_text().replace('"""', '"""Ours. ', 1))
    run_ok(kgen, "constraint", "Clip", cwd=demo)
    assert (demo / "src/demo/constraints/clip.py").read_text().startswith('"""Ours. ')


@pytest.mark.parametrize(
    ("broken", "line", "message"),
    [
        ("{% if %}", 3, "Expected an expression"),
        ("{{ no_such_variable }}", 3, "'no_such_variable' is undefined"),
        ("{{ names.no_such_name }}", 3, "has no attribute 'no_such_name'"),
        ("# kgen-explain: no_such_note", None, "'no_such_note', which has no note"),
        ("def f(:", None, "rendered invalid Python"),
    ],
)
def test_a_broken_user_template_is_named_with_its_line(
    kgen, demo, broken, line, message
):
    template = demo / "kgen_templates" / "loss" / "module.py.j2"
    template.parent.mkdir(parents=True)
    template.write_text('"""A house template."""\n{# mine #}\n' + broken + "\n")
    before = files_under(demo)
    error = run_error(kgen, "loss", "Huber", cwd=demo)
    if line is None:  # found after rendering: the template, and what is wrong
        assert f"template {template}" in error
    else:
        assert f"template {template}, line {line}: " in error
    assert message in error
    assert files_under(demo) == before


def test_eject_needs_a_project_with_a_templates_folder(kgen, demo, tmp_path):
    assert "works inside a project" in run_error(kgen, "eject", "loss", cwd=tmp_path)
    pyproject = demo / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('templates = "kgen_templates"\n', "")
    )
    assert "names no templates folder" in run_error(kgen, "eject", "loss", cwd=demo)
    assert "unknown kind" in run_error(kgen, "eject", "widget", cwd=demo)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('package = "demo"\nstyle = "x"', "unknown keys 'style'"),
        ('templates = "t"', "package must be given"),
        ('package = "nope"', "src/nope/__init__.py is missing"),
        ('package = "demo"\nexplain = "yes"', "explain must be true or false"),
        ('package = "demo"\nbackend = "tf"', "unknown backend 'tf'"),
        ('package = "demo"\nbackend = 1', "backend must be a string"),
        ("package = [", "not valid TOML"),
    ],
)
def test_a_bad_tool_kgen_table_is_one_clear_error(kgen, demo, table, message):
    pyproject = demo / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(
        text[: text.index("[tool.kgen]")] + "[tool.kgen]\n" + table + "\n"
    )
    before = files_under(demo)
    assert message in run_error(kgen, "loss", "Huber", cwd=demo)
    assert files_under(demo) == before


def test_list_shows_each_kind_its_methods_and_param_types(kgen):
    text = kgen("list").stdout
    for kind in KINDS.values():
        assert f"{kind.name}: {kind.summary}" in text
        assert f"base class  {kind.base}" in text
    table = json.loads(kgen("list", "--json").stdout)["kinds"]
    assert [row["kind"] for row in table] == list(KINDS)
    for row in table:
        kind = KINDS[row["kind"]]
        assert row["base"] == kind.base
        assert row["param_types"] == list(TYPES)
        assert set(row["styles"]) == set(kind.styles)
        methods = [signature.split("(")[0] for signature in row["styles"]["class"]]
        # Every method a build spec may replace is one the class defines (optional ones
        # once given a body), and get_config.
        shown = set(kind.methods) - kind.optional_methods
        assert {m if m != "init" else "__init__" for m in shown} <= set(methods)
        assert "get_config" in methods
        if kind.function:
            functions = row["styles"]["function"]
            assert f"example({kind.function.signature})" in functions
            assert "make_example(param=1.0)" in functions


def test_an_init_that_does_not_parse_stops_generation_not_stdout(kgen, demo):
    init = demo / "src" / "demo" / "losses" / "__init__.py"
    init.write_text(init.read_text() + "from . import (\n")
    before = files_under(demo)
    message = run_error(kgen, "loss", "Huber", cwd=demo)
    assert "src/demo/losses/__init__.py does not parse" in message
    assert files_under(demo) == before
    assert "class Huber(" in run_ok(kgen, "loss", "Huber", "--stdout", cwd=demo).stdout
    assert files_under(demo) == before


def test_build_inside_a_project_places_exports_and_records_like_generating(kgen, demo):
    """One request pipeline: a build spec in a project goes where `kgen KIND NAME` goes."""
    (demo / "components.toml").write_text(
        '[[component]]\nkind = "loss"\nname = "Focal"\nparams = ["gamma=2.0"]\n'
        '[[component]]\nkind = "loss"\nname = "Dice"\n'
        '[[component]]\nkind = "layer"\nname = "Quad"\n'
    )
    run_ok(kgen, "build", "components.toml", cwd=demo)
    run_ok(kgen, "loss", "Huber", cwd=demo)
    losses = (demo / "src/demo/losses/__init__.py").read_text()
    assert losses.endswith(
        "\n\nfrom .dice import Dice as Dice\nfrom .focal import Focal as Focal\n"
        "from .huber import Huber as Huber\n"
    )
    assert (
        "from .quad import Quad as Quad\n"
        in (demo / "src/demo/layers/__init__.py").read_text()
    )
    focal = (demo / "src/demo/losses/focal.py").read_text()
    assert 'register_keras_serializable(package="demo")' in focal
    assert (demo / "tests/losses/test_focal.py").is_file()
    records = json.loads((demo / "kgen-manifest.json").read_text())["components"]
    assert sorted(records) == ["layer/quad", "loss/dice", "loss/focal", "loss/huber"]
    run_ok(kgen, "destroy", "loss", "Focal", cwd=demo)
    assert "focal" not in (demo / "src/demo/losses/__init__.py").read_text()
