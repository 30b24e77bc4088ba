"""`kgen check` as a user runs it: the installed command, in a subprocess, on real files.

Its oracles: a corpus of hand-written components in the course notes' style (hand_written/)
passes where it is correct, and each classic mistake fails the contract meant for it, with
the note on that mistake; Keras's own components pass. (Every generated example passes it,
heavy contracts included: tests/end_to_end/test_examples.py.) One run checks them all:
a process per file, one at a time, as each submission gets its own.
"""

import json
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from kgen.explanations import NOTES

HERE = Path(__file__).parent
CORPUS = HERE / "hand_written"

VERDICTS = tomllib.loads((CORPUS / "verdicts.toml").read_text())
CORRECT = set(VERDICTS["correct"])
MISTAKES = {
    file: (verdict["contract"], verdict["note"])
    for file, verdict in VERDICTS["mistakes"].items()
}
# Keras's own, one process with the corpus. Dense takes its required units from --sample.
BUILT_INS = [
    "keras.losses:MeanSquaredError",
    "keras.layers:Dense",
    "keras.layers:LayerNormalization",
    "keras.metrics:MeanAbsoluteError",
    "keras.regularizers:L1L2",
    "keras.initializers:GlorotUniform",
    "keras.initializers:VarianceScaling",
    "keras.constraints:MaxNorm",
]

# Keras's own metric that is NaN on the default profile's data: with one output per sample,
# a correlation along the last axis is 0 / 0. A NaN result fails; it passed every
# contract once (NaN compares equal to NaN in assert_allclose).
NOT_FINITE = "keras.metrics:PearsonCorrelation"


def kgen_check(*arguments, cwd, env=None):
    # One process: the suite's other tests keep the second core busy.
    return subprocess.run(
        [shutil.which("kgen") or "kgen", "check", *map(str, arguments)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "KGEN_WORKERS": "1", **(env or {})},
    )


def listing(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes() if path.is_file() else b""
        for path in sorted(folder.rglob("*"))
    }


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """One run: the corpus (a copy: kgen must leave it as it was) and Keras's own."""
    folder = tmp_path_factory.mktemp("submissions")
    shutil.copytree(CORPUS, folder, dirs_exist_ok=True)
    before = listing(folder)
    result = kgen_check(
        ".",
        *BUILT_INS,
        NOT_FINITE,
        "--sample",
        "units=4",
        "--json",
        cwd=folder,
    )
    return result, json.loads(result.stdout), before, listing(folder)


def components(report, target):
    (record,) = [r for r in report["files"] if r["target"] == target]
    assert not record["error"], record["error"]
    return {c["component"]: c for c in record["components"]}


def row(component, contract):
    (found,) = [r for r in component["contracts"] if r["contract"] == contract]
    return found


def test_the_report_is_json_one_record_per_file_and_the_exit_status_tells(checked):
    result, report, _, _ = checked
    assert result.returncode == 1  # the mistakes
    assert report["version"] == 1 and report["passed"] is False
    files = sorted(r["target"] for r in report["files"] if r["file"])
    assert files == sorted(CORRECT | set(MISTAKES))  # a new file needs its verdict here
    for record in report["files"]:
        assert set(record) == {
            "target",
            "backend",
            "file",
            "module",
            "error",
            "limit",
            "grade",
            "components",
        }
        for component in record["components"]:
            assert set(component) == {
                "component",
                "kind",
                "style",
                "registered",
                "passed",
                "graded",
                "grade",
                "problem",
                "params",
                "unchecked",
                "notes",
                "contracts",
            }
            for each in component["contracts"]:
                assert set(each) == {
                    "contract",
                    "proves",
                    "outcome",
                    "passed",
                    "message",
                    "note",
                    "cause",
                }
                assert each["passed"] == (each["outcome"] == "passed")
    # Progress went to stderr as it ran; stdout holds the JSON alone. TensorFlow's
    # native import log (written whatever TF_CPP_MIN_LOG_LEVEL says) is not shown.
    assert "kgen check: SimpleDense: test_trains[defaults] passed" in result.stderr
    assert "absl::InitializeLog" not in result.stderr
    assert "cuda" not in result.stderr.lower()


def test_nothing_is_written_into_the_checked_folder(checked):
    _, _, before, after = checked
    assert after == before  # no tests, no __pycache__, no .pytest_cache


@pytest.mark.parametrize("file", sorted(CORRECT))
def test_a_correct_component_passes_every_contract(checked, file):
    for name, component in components(checked[1], file).items():
        assert component["passed"], (name, component)
        outcomes = {r["contract"]: r["outcome"] for r in component["contracts"]}
        assert "test_trains" in outcomes and "failed" not in outcomes.values()


def test_registered_functions_are_found_with_their_kind(checked):
    kinds = {
        name: c["kind"] for name, c in components(checked[1], "functions.py").items()
    }
    assert kinds == {
        "my_softplus": "activation",
        "my_l1_regularizer": "regularizer",
        "my_positive_weights": "constraint",
        "my_glorot_initializer": "initializer",
        "my_huber_loss": "loss",
    }


@pytest.mark.parametrize("file", sorted(MISTAKES))
def test_each_mistake_fails_the_contract_meant_for_it_with_its_note(checked, file):
    contract, note = MISTAKES[file]
    (component,) = components(checked[1], file).values()
    assert not component["passed"]
    failed = row(component, contract)
    assert failed["outcome"] == "failed", failed
    assert failed["message"] and "\n" not in failed["message"]
    assert NOTES[note].mistake in failed["note"], failed["note"]
    assert f"kgen explain {component['kind']}" in failed["note"]


@pytest.mark.parametrize("target", BUILT_INS)
def test_keras_own_components_pass_the_fast_contracts(checked, target):
    (component,) = components(checked[1], target).values()
    assert component["passed"], component
    # Keras finds its own by module: the registration contract checks JSON alone, and
    # says so.
    assert any("Keras's own class" in note for note in component["notes"])
    skipped = [r for r in component["contracts"] if r["outcome"] == "skipped"]
    assert [r["contract"] for r in skipped] == ["test_computes_the_reference_math"]
    assert "no reference" in skipped[0]["message"]


def test_a_metric_not_finite_on_the_test_data_fails(checked):
    (component,) = components(checked[1], NOT_FINITE).values()
    assert not component["passed"]
    failed = row(component, "test_is_finite_on_the_test_data")
    assert failed["outcome"] == "failed", failed
    assert "nan" in failed["message"]
    assert row(component, "test_trains")["outcome"] == "failed"  # its history is NaN


def test_strings_left_at_their_defaults_are_listed_as_unchecked(checked):
    # kgen cannot tell which other strings VarianceScaling's mode and distribution take.
    target = "keras.initializers:VarianceScaling"
    (component,) = components(checked[1], target).values()
    assert component["params"] == ["scale"]
    assert {"mode", "distribution"} <= set(component["unchecked"])


LAYER = """
@keras.saving.register_keras_serializable(package="Course")
class {name}(keras.layers.Layer):
    def __init__(self, units=32, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer="ones", name="bias")

    def call(self, inputs):
        return self.activation(ops.matmul(inputs, self.kernel) + self.bias){shift}

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        activation = keras.activations.serialize(self.activation)
        return {{**super().get_config(), "units": self.units, "activation": activation}}
"""
# The second one is not the reference's math.
DENSE = (
    "import keras\nfrom keras import ops\n\n"
    + LAYER.format(name="SimpleDense", shift="")
    + LAYER.format(name="ShiftedDense", shift=" + 1.0")
)

ASSIGNMENT = '''[[component]]
kind = "layer"
name = "{name}"
params = ["units:int=32", "activation:activation=None", "gain:float=1.0"]
reference = """
outputs = inputs @ weights["kernel"] + weights["bias"]
return keras.ops.convert_to_numpy(keras.activations.get(activation)(outputs))
"""
[component.test]
inputs = ["6:float32"]
samples = {{ gain = 2.0 }}
'''


def test_a_build_spec_gives_the_reference_math_and_a_sample_no_param_takes_warns(
    tmp_path,
):
    """--profiles: the spec's reference is compared with each component's math, as in
    the tests `kgen build` writes; a sample no param takes, given on the command line
    or in the spec, is named on stderr, when checking and when writing."""
    (tmp_path / "dense.py").write_text(DENSE)
    (tmp_path / "assignment.toml").write_text(
        ASSIGNMENT.format(name="SimpleDense") + ASSIGNMENT.format(name="ShiftedDense")
    )
    options = ["--profiles", "assignment.toml", "--sample", "nope=1"]
    result = kgen_check("dense.py", *options, "--json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    found = components(json.loads(result.stdout), "dense.py")
    assert row(found["SimpleDense"], "test_computes_the_reference_math")["passed"]
    wrong = row(found["ShiftedDense"], "test_computes_the_reference_math")
    assert wrong["outcome"] == "failed" and "Not equal" in wrong["message"]
    for name in ("SimpleDense", "ShiftedDense"):
        assert found[name]["passed"] == (name == "SimpleDense"), found[name]
        assert any("sample gain" in note for note in found[name]["notes"])
        warning = f"kgen: warning: {name}: its test profile's sample gain: no such"
        assert warning in result.stderr
    warning = "kgen: warning: --sample nope: no component checked has that param"
    assert warning in result.stderr

    result = kgen_check("dense.py", *options, "--write", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert warning in result.stderr
    written = (tmp_path / "test_simple_dense.py").read_text()
    assert 'outputs = inputs @ weights["kernel"] + weights["bias"]' in written
