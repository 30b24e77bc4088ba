"""kgen check's pieces that need no TensorFlow: targets, batches, the spec of a component
found by the worker, and the report (tests/end_to_end/test_check.py runs the command).
"""

import ast
import importlib.util
import os
from pathlib import Path

import pyflakes.checker
import pyflakes.messages
import pytest

from kgen import checking, generate
from kgen.check_process import Outcome
from kgen.check_report import all_passed, json_report, one_line_cause, text_report
from kgen.checking import (
    Unit,
    batches,
    profile_table,
    profiles_for,
    profiles_in,
    record_of,
    resolve,
    spec_for,
    unknown_samples,
)
from kgen.contracts import contract_row
from kgen.errors import KgenError
from kgen.explanations import NOTES
from kgen.grades import add_grades
from kgen.sandbox import Limits
from kgen.spec import make_spec

EXAMPLES = Path(__file__).parents[2] / "generated_examples"


def write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_folder_gives_its_modules_not_its_tests_nor_links_back_up(tmp_path):
    write(tmp_path / "a.py")
    write(tmp_path / "test_a.py")
    write(tmp_path / "conftest.py")
    write(tmp_path / "kgen_harness.py")
    write(tmp_path / "pkg" / "__init__.py")
    write(tmp_path / "pkg" / "layers.py")
    (tmp_path / "pkg" / "up").symlink_to(tmp_path)
    units = resolve([str(tmp_path)])
    assert [(u.module, u.root) for u in units] == [
        ("a", str(tmp_path)),
        ("pkg", str(tmp_path)),
        ("pkg.layers", str(tmp_path)),
    ]


def test_a_file_a_name_and_a_module(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "student.py")
    (unit,) = resolve(["student.py:SimpleDense", "student.py:SimpleDense"])
    assert (unit.module, unit.name, unit.label) == (
        "student",
        "SimpleDense",
        "student.py",
    )
    (unit,) = resolve(["keras.losses:Huber"])
    assert (unit.module, unit.name, unit.file, unit.root) == (
        "keras.losses",
        "Huber",
        None,
        os.getcwd(),
    )


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("missing.py", "no such file, folder or module"),
        ("notes.txt", "not a Python file"),
        ("", "an empty TARGET"),
        (".:Name", ":Name picks a component of a file or module"),
        ("my-layer.py", "not importable as a Python module"),
        ("empty", "no Python files in this folder"),
    ],
)
def test_a_bad_target_is_one_line(tmp_path, monkeypatch, target, message):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "notes.txt")
    write(tmp_path / "my-layer.py")
    (tmp_path / "empty").mkdir()
    with pytest.raises(KgenError, match=message):
        resolve([target])


def test_each_submission_has_processes_of_its_own(tmp_path):
    """A file of a folder is one author's, a package another's: never in one process.
    Files of one package that define one name, or register one, go to processes of
    their own too (Keras keeps one registration per name)."""
    layer = "import keras\nclass SimpleDense(keras.layers.Layer):\n    pass\n"
    write(tmp_path / "alice.py", layer)
    write(tmp_path / "bob.py", "def helper():\n    pass\n")
    write(tmp_path / "pkg" / "__init__.py")
    write(tmp_path / "pkg" / "one.py", layer)
    write(tmp_path / "pkg" / "two.py", layer)
    for name in ("three", "four"):
        write(
            tmp_path / "pkg" / f"{name}.py",
            "import keras\n@keras.saving.register_keras_serializable(name='Shared')\n"
            f"class {name.title()}(keras.layers.Layer):\n    pass\n",
        )
    units = resolve([str(tmp_path), "keras.losses", "keras.layers"])
    grouped = sorted([unit.module for unit in group] for group in batches(units))
    assert grouped == [
        ["alice"],
        ["bob"],
        ["keras.losses", "keras.layers"],
        ["pkg", "pkg.four", "pkg.one"],
        ["pkg.three", "pkg.two"],
    ]


def found(**changes) -> dict:
    base = {
        "name": "SimpleDense",
        "kind": "layer",
        "style": "class",
        "module": "student",
        "registered": "Course>SimpleDense",
        "params": ["units:int=32", "activation:activation=None"],
        "overrides": ["init", "build", "call"],
        "base_args": [],
        "unchecked": [],
        "problem": "",
        "notes": [],
    }
    return {**base, **changes}


def test_the_spec_of_a_hand_written_layer():
    spec = spec_for(found(), {})
    assert spec.names.class_name == "SimpleDense"
    assert spec.names.test_file == "test_simple_dense.py"
    assert spec.registered_name == "Course>SimpleDense"
    assert [param.name for param in spec.params] == ["units", "activation"]
    assert not spec.has_reference(["call"])  # the math is the user's
    unregistered = spec_for(found(registered=None), {})
    assert unregistered.registered_name == "Custom>SimpleDense"


def test_an_initializer_without_a_seed_gets_no_seed_test():
    initializer = found(
        name="Fixed", kind="initializer", params=[], overrides=["__call__"]
    )
    assert not spec_for(initializer, {}).seeded
    assert spec_for({**initializer, "base_args": ["seed"]}, {}).seeded


def test_a_required_argument_takes_its_type_from_its_test_value():
    required = found(params=["units=..."])
    with pytest.raises(KgenError, match="--sample units=VALUE"):
        spec_for(required, {})
    spec = spec_for(required, {"samples": {"units": 8}})
    (units,) = spec.params
    assert (units.type.name, units.required) == ("int", True)


def test_a_build_spec_declares_what_a_constructor_hides():
    profiles = profiles_in(EXAMPLES / "examples.toml")
    gan = profiles["GAN"]
    assert "discriminator:model" in gan["params"] and gan["test"]["compile"]
    assert profiles["huber_fn"] == profiles["HuberFn"]
    spec = spec_for(
        found(
            name="GAN",
            kind="model",
            params=["latent_dim:int=..."],
            unchecked=["discriminator", "generator"],
            overrides=["init", "call", "train_step", "test_step"],
        ),
        gan["test"],
        gan["params"],
    )
    assert {p.name: p.type.name for p in spec.params} == {
        "latent_dim": "int",
        "discriminator": "model",
        "generator": "model",
    }


def test_a_build_spec_gives_the_reference_math(tmp_path):
    """A build spec's `reference` is compared with the component's own math, as the
    tests `kgen build` writes compare it; without one, that test is skipped."""
    spec_file = write(
        tmp_path / "assignment.toml",
        '[[component]]\nkind = "layer"\nname = "SimpleDense"\n'
        'params = ["units:int=32", "activation:activation=None"]\n'
        'reference = """\noutputs = inputs @ weights["kernel"] + weights["bias"]\n'
        "return keras.ops.convert_to_numpy(keras.activations.get(activation)(outputs))\n"
        '"""\n[component.test]\ninputs = ["6:float32"]\n',
    )
    given = profiles_in(spec_file)["SimpleDense"]
    spec = spec_for(found(), given["test"], given["params"], given["reference"])
    assert spec.has_reference(["call"])
    target = generate.Target(out=tmp_path, import_from=(tmp_path, "student"))
    source = generate.test_source(spec, target)
    assert 'outputs = inputs @ weights["kernel"] + weights["bias"]' in source
    assert "write reference()" not in source  # the test is not skipped
    without = generate.test_source(
        spec_for(found(), given["test"], given["params"]), target
    )
    assert "write reference()" in without


def test_a_failure_gets_the_note_its_message_points_to():
    row = contract_row(
        "test_get_config_round_trip",
        "layer",
        "failed",
        "TypeError: Error when deserializing class 'Dense' ... unexpected keyword argument",
    )
    assert NOTES["kwargs"].mistake in row["note"]
    assert row["note"].endswith("More: kgen explain layer")
    assert row["passed"] is False
    passed = contract_row("test_get_config_round_trip", "layer", "passed", "")
    assert passed["note"] == "" and passed["passed"] is True


def record(target, components=(), error="", backend="tensorflow"):
    return {
        "target": target,
        "backend": backend,
        "file": target,
        "module": target,
        "error": error,
        "components": list(components),
    }


def component(passed=True):
    return {
        "component": "SimpleDense",
        "kind": "layer",
        "style": "class",
        "registered": None,
        "passed": passed,
        "problem": "",
        "unchecked": [],
        "notes": [],
        "contracts": [
            contract_row("test_trains", "layer", "passed" if passed else "failed", "")
        ],
    }


def test_the_exit_status_needs_a_component_and_every_one_passing():
    assert all_passed([record("a.py", [component()])])
    assert not all_passed([record("a.py", [component(False)])])
    assert not all_passed([record("a.py")])  # nothing found
    assert not all_passed([record("a.py", [component()]), record("b.py", error="x")])
    report = json_report([record("a.py", [component()])])
    assert report["version"] == 1 and report["passed"] is True


def test_a_sample_no_component_takes_is_named():
    records = [record("a.py", [{**component(), "params": ["units"]}])]
    records.append(
        record("b.py", [{**component(), "params": [], "unchecked": ["gain"]}])
    )
    records.append(record("c.py", error="cannot import c"))
    samples = {"units": 8, "gain": 2.0, "nope": 1, "alpha": 0.1}
    assert unknown_samples(records, samples) == ["alpha", "nope"]


def test_command_line_samples_add_to_the_profile_samples():
    profile = {
        "target": "binary",
        "inputs": ["6"],
        "samples": {"units": 8, "gain": 2.0},
    }
    options = {"inputs": ["4"], "samples": {"gain": 3.0, "alpha": 0.1}}
    assert profile_table(profile, options) == {
        "target": "binary",
        "inputs": ["4"],
        "samples": {"units": 8, "gain": 3.0, "alpha": 0.1},
    }
    assert profile_table(profile, {}) == profile


def test_the_table_names_each_file_its_error_and_each_contract():
    text = text_report(
        [
            record("alice.py", [component()]),
            record("bob.py", error="cannot import bob: SyntaxError: ..."),
            record("pkg/__init__.py"),
        ]
    )
    assert "alice.py\n  SimpleDense (layer, class style, not registered)\n" in text
    assert "    passed  trains\n" in text
    assert "bob.py\n  error: cannot import bob: SyntaxError" in text
    assert "pkg/__init__.py" not in text  # a package's own module, with nothing
    assert text.endswith(
        "1 component checked: 1 passed every contract, 0 did not. 1 file could not be "
        "checked."
    )
    skipped = [f"test_{n}.py" for n in range(7)]
    listed = text_report([record("alice.py", [component()])], skipped)
    assert (
        "not checked, taken by their names for tests or build scripts: test_0.py, "
        "test_1.py, test_2.py, test_3.py, test_4.py and 2 more (--json lists them)\n"
    ) in listed


def test_each_backend_has_its_record_and_a_file_its_lowest_grade():
    """Checked on two backends, a file has a record for each, named with its backend;
    its grade is the lowest, and the JSON gives each backend's."""
    records = [
        record("alice.py", [component()]),
        record("alice.py", [component(False)], backend="jax"),
        record("bob.py", [component()]),
        record("bob.py", error="cannot import bob: ...", backend="jax"),
    ]
    add_grades(records)
    text = text_report(records)
    assert "alice.py (tensorflow)\n  SimpleDense" in text
    assert "alice.py (jax)\n  SimpleDense" in text
    assert "bob.py (jax)\n  error: cannot import bob" in text
    assert "  grade on every backend (the lowest): 0%\n" in text
    assert text.endswith(
        "2 components checked on tensorflow and jax: 0 passed every contract on every "
        "backend, 2 did not. 1 file could not be checked."
    )
    report = json_report(records)
    assert report["backends"] == ["tensorflow", "jax"]
    assert [r["backend"] for r in report["files"]] == ["tensorflow", "jax"] * 2
    assert report["grades"] == {
        "alice.py": {"grade": 0.0, "backends": {"tensorflow": 1.0, "jax": 0.0}},
        "bob.py": {"grade": 0.0, "backends": {"tensorflow": 1.0, "jax": 0.0}},
    }
    assert not report["passed"]
    # One backend that is not TensorFlow: named too.
    alone = text_report([record("alice.py", [component()], backend="jax")])
    assert alone.startswith("alice.py (jax)\n")
    assert alone.endswith(
        "1 component checked on jax: 1 passed every contract, 0 did not."
    )


# A heavy test's failure in a child process, as pytest reports it: the child's traceback
# (after its warnings) as the assertion's message, then pytest's explanation.
CHILD_FAILED = """AssertionError: WARNING: All log messages before absl::InitializeLog()
  Traceback (most recent call last):
    File "/tmp/kgen_harness.py", line 12, in <module>
      train_on_two_devices(tests.build_model, tests.make_data)
    File "/tmp/kgen_harness.py", line 230, in train_on_two_devices
      np.testing.assert_allclose(split, whole, rtol=1e-4)
      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  AssertionError:
  Not equal to tolerance rtol=0.0001, atol=0

  Mismatched elements: 32 / 32 (100%)
   [0]: 1.5 (ACTUAL), 1.0 (DESIRED)

assert 'Traceback (m...' == 'passed'
  - passed
  + Traceback (most recent call last):
  +   File "/tmp/kgen_harness.py", line 12, in <module>"""


def test_a_child_process_failure_is_the_error_its_traceback_ends_with():
    assert one_line_cause(CHILD_FAILED) == (
        "Not equal to tolerance rtol=0.0001, atol=0; Mismatched elements: 32 / 32 (100%)"
    )
    chained = (
        "AssertionError: Traceback (most recent call last):\n"
        '    File "a.py", line 3, in f\n'
        "  KeyError: 'x'\n\n"
        "  During handling of the above exception, another exception occurred:\n\n"
        "  Traceback (most recent call last):\n"
        '    File "<string>", line 5, in <module>\n'
        "  tensorflow.python.framework.errors_impl.InvalidArgumentError: shapes differ\n"
        "  second line\n"
        "assert 1 == 0"
    )
    assert one_line_cause(chained) == "InvalidArgumentError: shapes differ"
    # Its start cut off (the last 3000 characters of it): from the frames it kept.
    cut = CHILD_FAILED.replace(
        '  Traceback (most recent call last):\n    File "/tmp/', ""
    )
    assert one_line_cause(cut).startswith("Not equal to tolerance")
    # Messages without a traceback are as they were.
    assert one_line_cause(
        "AssertionError: __init__ made weights\nassert [1] == []"
    ) == ("AssertionError: __init__ made weights")
    assert one_line_cause("AssertionError:\nNot equal\n\nMismatched: 2") == (
        "Not equal; Mismatched: 2"
    )


def test_a_project_gives_the_profiles_of_its_components(kgen, tmp_path):
    """The manifest's record for a component kgen generated there; `[tool.kgen.test.NAME]`
    over it, by class name."""
    assert kgen("new", "demo").returncode == 0
    project = tmp_path / "demo"
    options = ["--target", "binary", "--sample", "gamma=1.0"]
    assert (
        kgen("loss", "Focal", "-p", "gamma=2.0", *options, cwd=project).returncode == 0
    )
    with (project / "pyproject.toml").open("a") as pyproject:
        pyproject.write('\n[tool.kgen.test.Handmade]\ntarget = "labels:3"\n')
    (unit,) = resolve([str(project / "src" / "demo" / "losses" / "focal.py")])
    assert unit.module == "demo.losses.focal"
    assert profiles_for(unit) == {
        "Focal": {"test": {"target": "binary", "samples": {"gamma": 1.0}}},
        "Handmade": {"test": {"target": "labels:3"}},
    }


def test_a_bad_project_test_table_is_one_line(tmp_path):
    write(tmp_path / "src" / "demo" / "__init__.py")
    write(
        tmp_path / "pyproject.toml",
        '[tool.kgen]\npackage = "demo"\ntest = { Focal = "binary" }\n',
    )
    (unit,) = resolve([str(write(tmp_path / "src" / "demo" / "a.py"))])
    with pytest.raises(KgenError, match=r"test must hold a table per component"):
        profiles_for(unit)


def test_a_sample_gives_a_value_to_a_param_whose_default_kgen_cannot_vary():
    # Keras's Precision(thresholds=None): no type to vary it by, until a sample gives one.
    precision = found(
        name="Precision",
        kind="metric",
        params=[],
        unchecked=["top_k"],
        overrides=["update_state"],
    )
    assert not spec_for(precision, {}).params
    spec = spec_for(precision, {"samples": {"top_k": 2, "nope": 1}})
    (top_k,) = spec.params
    assert (top_k.name, top_k.type.name, top_k.default) == ("top_k", "int", None)
    assert spec.sample_args == '{"top_k": 2}'
    pool = spec_for(found(unchecked=["pool"]), {"samples": {"pool": [2, 2]}})
    assert pool.params[-1].type.name == "list[int]"


def test_a_checked_class_may_name_a_param_as_an_attribute_of_its_base():
    # EinsumDense's output_shape: kgen writes no class, so nothing is shadowed; a class
    # kgen generates still may not take the name.
    spec = spec_for(found(params=["output_shape:int=4", "units:int=2"]), {})
    assert [param.name for param in spec.params] == ["output_shape", "units"]
    with pytest.raises(KgenError, match="clashes with the attribute output_shape"):
        make_spec("layer", "Thing", ["output_shape:int=4"])


def test_a_checked_activation_function_is_called_symbolically_in_a_layer(tmp_path):
    # keras.activations.hard_silu converts its input with convert_to_tensor: a KerasTensor
    # is only for layers and keras.ops, so Keras's own function is called in a layer;
    # kgen's own activation function is called on the KerasTensor itself.
    checked = spec_for(
        found(
            name="hard_silu",
            kind="activation",
            style="function",
            params=[],
            overrides=["function"],
        ),
        {},
    )
    own = make_spec("activation", "scaled_tanh", style="function")
    layer_call = "keras.layers.Activation(activation)(keras.Input("
    target = generate.Target(out=tmp_path)
    assert layer_call in generate.test_source(checked, target)
    assert layer_call not in generate.test_source(own, target)


def test_a_listed_param_is_compared_as_saving_writes_it():
    # kgen's own: a list as JSON, where a tuple is a list too; a scalar (a float too)
    # exactly.
    own = make_spec(
        "layer", "Pool", ["sizes:list[int]=[1, 2]", "units:int=32", "rate:float=0.01"]
    )
    assert own.config_checks == [
        ('as_json(config["sizes"])', 'as_json(ARGS["sizes"])'),
        ('config["units"]', 'ARGS["units"]'),
        ('config["rate"]', 'ARGS["rate"]'),
    ]
    assert own.uses_as_json and not own.per_axis_configs
    # One kgen did not write, as Keras keeps it: strides=2 may come back as (2, 2); a
    # param left out of the config is taken at its default, as from_config takes it.
    keras_own = spec_for(
        found(params=["strides:int=1", "activation:activation=None", "size:int=..."]),
        {"samples": {"size": 2}},
    )
    assert keras_own.config_checks == [
        ('holds(config["size"], ARGS["size"])', None),
        ('holds(config.get("strides", 1), ARGS["strides"])', None),
        (
            'config["activation"]',
            'keras.activations.serialize(keras.activations.get(ARGS["activation"]))',
        ),
    ]


def test_a_profiles_file_gives_test_profiles_by_component_name(tmp_path):
    path = write(
        tmp_path / "profiles.toml",
        '[profile.Conv2D]\ninputs = ["8,8,3"]\nsamples = { filters = 2 }\n'
        '[profile.CategoricalCrossentropy]\ntarget = "onehot:3"\n',
    )
    assert profiles_in(path) == {
        "Conv2D": {"test": {"inputs": ["8,8,3"], "samples": {"filters": 2}}},
        "CategoricalCrossentropy": {"test": {"target": "onehot:3"}},
    }


@pytest.mark.parametrize(
    "text, message",
    [
        ('[profile.Conv2D]\ninput = ["8"]\n', r"\[profile.Conv2D\] takes inputs, "),
        ('[profile.Dense]\ntarget = "onehot"\n', r"\[profile.Dense\]: .*onehot"),
        ('other = 1\n[profile.Dense]\ntarget = "binary"\n', "tables only"),
    ],
)
def test_a_bad_profiles_file_is_one_line(tmp_path, text, message):
    with pytest.raises(KgenError, match=message):
        profiles_in(write(tmp_path / "profiles.toml", text))


def test_a_value_holds_as_keras_keeps_it_and_nothing_else(tmp_path):
    spec = spec_for(found(params=["strides:int=1"]), {})
    source = generate.test_source(spec, generate.Target(out=tmp_path))
    helpers = source[source.index("def as_json") : source.index("def test_")]
    write(
        tmp_path / "config_helpers.py",
        "import json\n\nimport numpy as np\n\n\n" + helpers,
    )
    spec_ = importlib.util.spec_from_file_location(
        "config_helpers", tmp_path / "config_helpers.py"
    )
    module = importlib.util.module_from_spec(spec_)
    spec_.loader.exec_module(module)
    holds = module.holds
    assert holds((2, 2), 2) and holds([(1, 1), (1, 1)], 1) and holds(2, 2)
    assert holds((0, 0.5), 0.5) and holds((-0.2, 0.2), 0.2) and holds((1, 2), [1, 2])
    assert not holds((2, 3), 2) and not holds(1, 2) and not holds((0.1, 0.5), 0.5)
    assert (
        holds([(1, 1), (2, 2)], (1, 2)) and holds("same", "same") and holds(None, None)
    )
    assert (
        not holds([1, 2], [2, 1]) and not holds((1, 1), None) and not holds([1], [1, 1])
    )
    # A float as Keras keeps it, float32 (L1(0.01)), and no further.
    assert holds(0.009999999776482582, 0.01) and holds((0, 0.009999999776482582), 0.01)
    assert not holds(0.0099, 0.01) and not holds(0.01, 0.010001)


@pytest.mark.parametrize(
    "kind", ["loss", "layer", "metric", "regularizer", "optimizer"]
)
def test_what_a_component_kgen_did_not_write_is_compared_with_is_defined(
    kind, tmp_path
):
    # holds() and as_json() compare its config as Keras keeps it, in every kind's tests.
    spec = spec_for(
        found(
            kind=kind,
            params=["rate:float=0.5", "sizes:list[int]=[1, 2]"],
            overrides=["init"],
        ),
        {},
    )
    source = generate.test_source(spec, generate.Target(out=tmp_path))
    undefined = [
        message
        for message in pyflakes.checker.Checker(ast.parse(source)).messages
        if isinstance(message, pyflakes.messages.UndefinedName)
    ]
    assert "holds(" in source and not undefined, undefined


def test_a_records_backend_is_the_one_it_ran_on_whatever_the_worker_says(
    monkeypatch, tmp_path
):
    """The worker runs the user's code: the backend of its records is kgen's to say."""
    unit = Unit("a.py", "a", str(tmp_path), None, str(tmp_path / "a.py"))
    asked = []

    def worker(request, units, folder, limits, running, backend):
        asked.append(backend)
        forged = {**record_of(unit), "backend": "tensorflow", "grade": 1.0}
        return Outcome([forged])

    monkeypatch.setattr(checking, "run_worker", worker)
    (checked,) = checking._run_batch([unit], {}, False, False, {}, Limits(), "jax")
    assert asked == ["jax"] and checked["backend"] == "jax"
