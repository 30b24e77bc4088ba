"""A failed test points at its cause: a param the math ignores is named as one that changes
nothing, a test value the component refuses is called out as such, and neither is said of
math that is simply wrong; a loss reduction Keras leaves undivided among devices is named.
"""

import re

import pytest
from conftest import run_pytest

from kgen.build import plan_build
from kgen.generate import Target, plan
from kgen.spec import make_spec
from kgen.writer import plan_actions, write_files

SPEC = '''
[[component]]
kind = "layer"
name = "Ignoring"
params = ["factor=2.0"]
bodies.build = "pass"
bodies.call = "return inputs * 2.0"
reference = "return inputs * factor"

[[component]]
kind = "layer"
name = "OffByOne"
params = ["factor=2.0"]
bodies.build = "pass"
bodies.call = "return inputs * self.factor + 1.0"
reference = "return inputs * factor"

[[component]]
kind = "layer"
name = "EvenOnly"
params = ["pairs:int=6"]
bodies.build = "pass"
bodies.call = """
if self.pairs % 2:
    raise ValueError("pairs must be even")
return inputs * self.pairs
"""
reference = "return inputs * pairs"

[[component]]
kind = "loss"
name = "HardCoded"
params = ["gamma=2.0"]
bodies.call = "return ops.mean(ops.square(y_pred - y_true), axis=-1)"
reference = "return gamma * np.mean(np.square(y_pred - y_true), axis=-1)"

[[component]]
kind = "optimizer"
name = "FixedMomentum"
params = ["momentum=0.9"]
reference = """
velocity = np.zeros_like(variable)
for gradient in gradients:
    velocity = momentum * velocity - learning_rate * gradient
    variable = variable + velocity
return variable
"""
'''

UNUSED = "changes nothing in the result"
SAMPLES = "It passed with the defaults"


def failure_reports(stdout: str) -> dict[str, str]:
    """Each failed test's report, by its id: pytest heads a report with the test's name
    alone, and its traceback ends in the test module's line that failed; the summary
    after the reports (each failure's message again) belongs to none."""
    stdout = re.split(r"^=+ short test summary info =+$", stdout, flags=re.MULTILINE)[0]
    parts = re.split(r"^_{3,} (\S+) _{3,}$", stdout, flags=re.MULTILINE)[1:]
    reports = {}
    for name, report in zip(parts[::2], parts[1::2], strict=True):
        module = re.findall(r"^(test_\w+\.py):\d+: ", report, re.MULTILINE)[-1]
        reports[f"{module}::{name}"] = report
    return reports


def test_failures_name_an_ignored_param_and_a_refused_test_value(tmp_path):
    (tmp_path / "spec.toml").write_text(SPEC, encoding="utf-8")
    plan_build(tmp_path / "spec.toml").apply()
    result = run_pytest(tmp_path, "-rf", "-k", "reference_math")
    reports = failure_reports(result.stdout)
    test = "::test_computes_the_reference_math"
    assert set(reports) == {
        f"test_ignoring.py{test}[samples]",
        f"test_hard_coded.py{test}[defaults]",
        f"test_off_by_one.py{test}[defaults]",
        f"test_off_by_one.py{test}[samples]",
        f"test_even_only.py{test}[samples]",
        f"test_fixed_momentum.py{test}[samples]",
    }, result.stdout[-3000:]
    # The math ignores factor: named, with the value the result is computed as if given.
    ignoring = reports[f"test_ignoring.py{test}[samples]"]
    assert f"factor {UNUSED}: it is what reference() gives with factor=2.0" in ignoring
    assert SAMPLES not in ignoring
    # gamma hard-coded as its test value: with the defaults, it changes nothing.
    hard_coded = reports[f"test_hard_coded.py{test}[defaults]"]
    assert f"gamma {UNUSED}: it is what reference() gives with gamma=1.0" in hard_coded
    # The default body's momentum of 0.9, kept whatever the param says.
    fixed = reports[f"test_fixed_momentum.py{test}[samples]"]
    assert f"momentum {UNUSED}: it is what reference() gives with momentum=0.9" in fixed
    # Wrong math that uses its param, and a test value the component refuses: no
    # param is said to change nothing; the refused value is pointed at.
    off_by_one = reports[f"test_off_by_one.py{test}[samples]"]
    even_only = reports[f"test_even_only.py{test}[samples]"]
    assert UNUSED not in off_by_one + even_only
    assert SAMPLES not in off_by_one
    assert SAMPLES in even_only


@pytest.mark.heavy
def test_a_reduction_left_undivided_among_devices_is_named(tmp_path):
    # Keras adds up the devices' unreduced losses: the README's own --base example.
    for name, base in (("Unreduced", {"reduction": "none"}), ("Reduced", {})):
        files = plan(make_spec("loss", name, base_defaults=base), Target(out=tmp_path))
        write_files(files, plan_actions(files))
    result = run_pytest(tmp_path, "-rf", "-k", "two_devices", heavy=True)
    reports = failure_reports(result.stdout)
    assert set(reports) == {"test_unreduced.py::test_trains_on_two_devices"}
    assert "the loss's reduction is 'none'" in "".join(reports.values())
