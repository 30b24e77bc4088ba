"""Grading's pieces that need no TensorFlow: the grade of a record, the assignment held
against it, the files left out by their names, and the records a worker sends back
taken only when they are the ones asked for (tests/end_to_end/test_grading_hostile.py
runs the command on hostile submissions)."""

import json
from pathlib import Path

import pytest

from kgen.assignment import hold, read_assignment
from kgen.build import read_requests
from kgen.check_process import records_from
from kgen.checking import resolve
from kgen.contracts import contract_row
from kgen.errors import KgenError
from kgen.grades import add_grades

KWARGS = "TypeError: SimpleDense.__init__() got an unexpected keyword argument 'name'"


def component(name="SimpleDense", kind="layer", rows=()) -> dict:
    return {
        "component": name,
        "kind": kind,
        "style": "class",
        "registered": None,
        "passed": False,
        "graded": True,
        "problem": "",
        "params": [],
        "unchecked": [],
        "notes": [],
        "contracts": [
            contract_row(test, kind, outcome, message)
            for test, outcome, message in rows
        ],
    }


def record(*components, error="") -> dict:
    return {
        "target": "alice.py",
        "file": "/s/alice.py",
        "module": "alice",
        "error": error,
        "limit": "",
        "components": list(components),
    }


PASSED = [
    ("test_get_config_round_trip", "passed", ""),
    ("test_serializes_by_its_registered_name", "passed", ""),
    ("test_trains", "passed", ""),
    ("test_saved_model_loads_without_custom_objects", "passed", ""),
    ("test_build_makes_every_weight", "passed", ""),
    ("test_computes_the_reference_math", "passed", ""),
]


def graded(rows) -> float:
    records = [record(component(rows=rows))]
    add_grades(records)
    return records[0]["components"][0]["grade"]


def failing(rows, contracts: set[str], message: str):
    return [(t, "failed", message) if t in contracts else (t, o, m) for t, o, m in rows]


def test_every_contract_passed_grades_one_and_a_failure_costs_its_share():
    assert graded(PASSED) == 1
    wrong_math = failing(PASSED, {"test_computes_the_reference_math"}, "AssertionError")
    assert graded(wrong_math) == 0.5  # the math is half the grade
    unbuilt = failing(PASSED, {"test_build_makes_every_weight"}, "AssertionError: x")
    assert graded(unbuilt) == pytest.approx((1 - 1 / 5 + 1) / 2, abs=1e-3)


def test_one_missing_kwargs_is_one_mistake_however_many_contracts_it_fails():
    everything_but_training = {t for t, _, _ in PASSED} - {"test_trains"}
    rows = failing(PASSED, everything_but_training, KWARGS)
    # The math's failure has the config's cause: counted there, once.
    assert graded(rows) == pytest.approx(1 - 1 / 5, abs=1e-3)
    two_mistakes = failing(rows, {"test_trains"}, "ValueError: a NaN")
    assert graded(two_mistakes) == pytest.approx(1 - 2 / 5, abs=1e-3)


def test_skipped_contracts_do_not_count_and_nothing_checked_grades_zero():
    skipped = [(t, "skipped" if "math" in t else o, m) for t, o, m in PASSED]
    assert graded(skipped) == 1
    assert graded([]) == 0
    records = [record(error="cannot import alice: SyntaxError")]
    add_grades(records)
    assert records[0]["grade"] == 0


def spec(tmp_path: Path, assignment: str) -> Path:
    path = tmp_path / "assignment.toml"
    path.write_text(
        assignment + '\n[[component]]\nkind = "loss"\nname = "Huber"\n'
        '[[component]]\nkind = "layer"\nname = "SimpleDense"\n'
    )
    return path


def test_an_assignment_requires_its_components_by_name_and_kind(tmp_path):
    assert read_assignment(spec(tmp_path, "")) is None
    every = read_assignment(spec(tmp_path, "[assignment]"))
    assert [(r.name, r.kind) for r in every] == [
        ("Huber", "loss"),
        ("SimpleDense", "layer"),
    ]
    (huber,) = read_assignment(spec(tmp_path, '[assignment]\ncomponents = ["Huber"]'))
    records = [
        record(component("HuberLoss", "loss")),
        record(component("Huber", "layer")),
        record(component("Huber", "loss"), component("helper", "activation")),
    ]
    hold(records, [huber])
    misnamed, of_another_kind, right = (r["components"] for r in records)
    assert [c["component"] for c in misnamed] == ["HuberLoss", "Huber"]
    assert misnamed[0]["graded"] is False
    assert misnamed[1]["problem"].startswith("missing: the assignment asks for a loss")
    assert (
        of_another_kind[0]["problem"]
        == "the assignment asks for a loss; this is a layer"
    )
    assert right[0]["graded"] and not right[0]["problem"]
    assert right[1]["graded"] is False  # a helper of its own: not graded


@pytest.mark.parametrize(
    "assignment, message",
    [
        (
            '[assignment]\ncomponents = ["Hubber"]',
            "names no \\[\\[component\\]\\]: Hubber",
        ),
        ("[assignment]\ncomponents = []", "names no"),
        ("[assignment]\ncomponents = [1]", "a list of strings"),
        ("[assignment]\nrequired = true", "a table of one key"),
    ],
)
def test_a_wrong_assignment_is_refused_in_one_line(tmp_path, assignment, message):
    with pytest.raises(KgenError, match=message):
        read_assignment(spec(tmp_path, assignment))


def test_kgen_build_refuses_a_wrong_assignment_too(tmp_path):
    with pytest.raises(KgenError, match="names no"):
        read_requests(spec(tmp_path, '[assignment]\ncomponents = ["Hubber"]'))


def test_files_left_out_by_their_names_are_listed(tmp_path, monkeypatch):
    for name in ("alice.py", "test_bob.py", "carol_test.py", "setup.py"):
        (tmp_path / name).write_text("")
    monkeypatch.chdir(tmp_path)
    skipped = []
    units = resolve(["."], skipped)
    assert [unit.label for unit in units] == ["alice.py"]
    assert sorted(skipped) == ["carol_test.py", "setup.py", "test_bob.py"]


UNITS = [{"label": "alice.py", "file": "/s/alice.py", "module": "alice"}]


def sent(records) -> bytes:
    return json.dumps(records).encode()


def test_a_workers_records_are_taken_and_their_passed_worked_out_here():
    honest = record(component(rows=PASSED))
    (taken,) = records_from(sent([honest]), UNITS)
    assert taken["components"][0]["passed"] is True
    claimed = record(component(rows=[]))
    claimed["components"][0]["passed"] = True  # no contract ran: it cannot have passed
    assert records_from(sent([claimed]), UNITS)[0]["components"][0]["passed"] is False


@pytest.mark.parametrize(
    "data",
    [
        sent([record()]) + sent([record()]),  # a forged copy beside the worker's
        sent([record(), record()]),  # one record too many
        sent([{**record(), "file": "/s/bob.py"}]),  # another submission's
        sent([record(component(rows=[("test_anything_passes", "passed", "")]))]),
        sent([record(component(rows=[("test_trains", "great", "")]))]),
        b"",
    ],
    ids=[
        "two documents",
        "too many",
        "another file",
        "no such contract",
        "outcome",
        "none",
    ],
)
def test_records_that_are_not_the_ones_asked_for_are_refused(data):
    assert records_from(data, UNITS) is None
