"""`kgen check` grading hostile submissions (hostile/), as a teacher runs it: the installed
command in a subprocess, on a folder of submissions beside the teacher's own files.

Grouped by what the submissions try: to reach the teacher's files, to forge a grade, to
change a classmate's, to print into the report, to outlast their limits, to slip past
the assignment. Each hostile file is a working component, so that it is graded: what it
does on the side must change nothing but its own grade.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

HOSTILE = Path(__file__).parent / "hostile"


def kgen_check(*arguments, cwd: Path, env: dict | None = None):
    return subprocess.run(
        [shutil.which("kgen") or "kgen", "check", *map(str, arguments)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "KGEN_WORKERS": "2", **(env or {})},
    )


def teacher(tmp_path: Path, *names: str) -> Path:
    """The teacher's folder: their grades, a home of their own, and the submissions."""
    folder = tmp_path / "teacher"
    (folder / "submissions").mkdir(parents=True)
    (folder / "home").mkdir()
    (folder / "grades.csv").write_text("alice,100\n")
    for name in names:
        shutil.copy(HOSTILE / name, folder / "submissions" / Path(name).name)
    return folder


def by_file(records: list[dict]) -> dict[str, dict]:
    return {Path(record["target"]).name: record for record in records}


def contracts_passed(record: dict) -> bool:
    (component,) = record["components"]
    outcomes = {row["outcome"] for row in component["contracts"]}
    return component["passed"] and outcomes <= {"passed", "skipped"}


def listing(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One run over a correct submission, four hostile ones, and one named as a build
    script is (no assignment: it is listed as not checked)."""
    folder = teacher(
        tmp_path_factory.mktemp("reach"),
        "honest.py",
        "reaches_out.py",
        "forges.py",
        "meddles.py",
        "prints.py",
    )
    shutil.copy(HOSTILE / "honest.py", folder / "submissions" / "setup.py")
    before = listing(folder / "submissions")
    result = kgen_check(
        "submissions", "--json", cwd=folder, env={"HOME": str(folder / "home")}
    )
    return folder, before, result, json.loads(result.stdout)


# Reaching the teacher's files


def test_a_submission_cannot_delete_or_write_the_teachers_files(graded):
    folder, before, _, report = graded
    assert (folder / "grades.csv").read_text() == "alice,100\n"
    assert listing(folder / "submissions") == before  # nothing planted beside it
    assert not (folder / "home" / ".keras").exists()  # its home was its own
    assert contracts_passed(by_file(report["files"])["reaches_out.py"])  # it did run


# Forging a grade


def test_a_forged_record_does_not_pass(graded):
    _, _, result, report = graded
    record = by_file(report["files"])["forges.py"]
    assert result.returncode == 1 and report["passed"] is False
    assert record["error"] or not record["components"][0]["passed"], record


def running(mark: str) -> list[str]:
    """The processes whose command line holds `mark`."""
    alive = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if mark.encode() in cmdline.read_bytes():
                alive.append(cmdline.parent.name)
        except OSError:
            pass  # ended while looked at
    return alive


def test_no_process_of_a_submission_outlives_the_check(graded):
    assert not running("kgen-hostile-sleeper")


def test_a_submission_cannot_have_write_put_a_file_outside_its_folder(tmp_path):
    """`--write` writes what the worker names: a test module beside the module, and no
    other file, whatever a forged answer asks."""
    folder = teacher(tmp_path, "plants_files.py")
    before = listing(folder)
    result = kgen_check("plants_files.py", "--write", cwd=folder / "submissions")
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()[-1:]
    assert line == "kgen: error: plants_files.py: its check named no test module"
    assert listing(folder) == before


# Changing a classmate's grade


def test_a_classmate_monkeypatching_keras_changes_nothing_of_a_correct_grade(graded):
    _, _, _, report = graded
    records = by_file(report["files"])
    assert contracts_passed(records["honest.py"])
    # Its own grade takes its own change: ops.sum is 0.0 in its process alone.
    assert records["meddles.py"]["components"][0]["component"] == "MeddlingPenalty"


# Printing into the report


def test_what_a_submission_prints_never_reaches_the_report(graded):
    _, _, result, report = graded
    assert report["version"] == 1  # stdout is the JSON alone
    assert "not json" not in result.stdout
    assert "{not json" in result.stderr  # shown to the teacher, on stderr
    assert "\x1b" not in result.stderr  # its terminal escapes made harmless
    assert contracts_passed(by_file(report["files"])["prints.py"])


# Outlasting the limits


@pytest.mark.heavy  # it waits for two timeouts
def test_each_limit_fails_its_own_submission_and_the_others_are_graded(tmp_path):
    folder = teacher(tmp_path, "honest.py", "sleeps.py", "spins.py", "hogs.py")
    result = kgen_check(
        "submissions",
        "--json-lines",
        "--timeout",
        "45",
        "--memory",
        "4",
        cwd=folder,
    )
    *lines, summary = [json.loads(line) for line in result.stdout.splitlines()]
    grades = summary.pop("grades")
    assert summary == {
        "version": 1,
        "passed": False,
        "backends": ["tensorflow"],
        "files": 4,
        "skipped": [],
    }
    records = by_file(lines)
    assert grades == {  # one backend: each file's grade is its record's
        r["target"]: {"grade": r["grade"], "backends": {"tensorflow": r["grade"]}}
        for r in lines
    }
    assert contracts_passed(records["honest.py"])
    assert records["sleeps.py"]["limit"] == "time"
    assert "--timeout" in records["sleeps.py"]["error"]
    assert records["spins.py"]["limit"] in ("cpu", "time")
    assert records["hogs.py"]["limit"] == "memory"
    assert "MemoryError" in records["hogs.py"]["error"]
    assert result.returncode == 1


def test_a_run_stopped_half_way_keeps_the_grades_it_finished(tmp_path):
    """A grader's own timeout (SIGTERM) while a submission sleeps: the finished one's
    record is out already, and no checking process is left."""
    folder = teacher(tmp_path, "honest.py", "sleeps.py")
    process = subprocess.Popen(
        [shutil.which("kgen") or "kgen", "check", "submissions", "--json-lines"],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "KGEN_WORKERS": "2"},
    )
    first = json.loads(process.stdout.readline())  # honest.py's: sleeps.py never ends
    process.send_signal(signal.SIGTERM)
    rest = process.stdout.read()
    assert process.wait(timeout=60) == 128 + signal.SIGTERM
    assert first["target"] == "submissions/honest.py" and contracts_passed(first)
    assert rest == ""  # no summary: the run was stopped
    assert not running(str(folder))


def test_without_bubblewrap_it_warns_in_one_line_and_still_grades(tmp_path):
    folder = teacher(tmp_path, "honest.py")
    python_only = {"PATH": str(Path(sys.executable).parent)}  # no bwrap on it
    result = kgen_check("submissions", "--json", cwd=folder, env=python_only)
    (warning,) = [line for line in result.stderr.splitlines() if "bwrap" in line]
    assert warning.startswith("kgen: warning: bubblewrap (bwrap) is not installed")
    assert result.returncode == 0, result.stderr
    assert contracts_passed(json.loads(result.stdout)["files"][0])


# Slipping past the assignment


@pytest.fixture(scope="module")
def assigned(tmp_path_factory):
    """The assignment (an L1Penalty, with its reference math) over a correct submission,
    a misnamed one with the wrong math, one whose config fakes its equality, and a
    correct one named as a test module."""
    folder = teacher(
        tmp_path_factory.mktemp("assigned"),
        "assigned/right.py",
        "assigned/misnamed.py",
        "assigned/fakes_equality.py",
    )
    shutil.copy(HOSTILE / "assigned/right.py", folder / "submissions/test_dave.py")
    spec = shutil.copy(HOSTILE / "assignment.toml", folder)
    result = kgen_check("submissions", "--profiles", spec, "--json", cwd=folder)
    return result, by_file(json.loads(result.stdout)["files"])


def test_a_correct_submission_gets_the_whole_grade(assigned):
    _, records = assigned
    (component,) = records["right.py"]["components"]
    math = [r for r in component["contracts"] if "reference_math" in r["contract"]]
    assert [r["outcome"] for r in math] == ["passed"]  # its math was compared
    assert (
        component["passed"] and component["grade"] == records["right.py"]["grade"] == 1
    )


def test_a_misnamed_class_is_reported_missing_not_passed(assigned):
    result, records = assigned
    found = {c["component"]: c for c in records["misnamed.py"]["components"]}
    assert found["L1Penalty"]["problem"].startswith(
        "missing: the assignment asks for a regularizer named L1Penalty; found "
        "L1Regularizer (regularizer)"
    )
    assert found["L1Regularizer"]["graded"] is False
    assert records["misnamed.py"]["grade"] == 0
    assert result.returncode == 1


def test_a_config_faking_its_equality_fails_the_round_trip(assigned):
    _, records = assigned
    (component,) = records["fakes_equality.py"]["components"]
    rows = {row["contract"]: row for row in component["contracts"]}
    assert rows["test_get_config_round_trip"]["outcome"] == "failed"
    assert rows["test_computes_the_reference_math"]["outcome"] == "passed"
    # One mistake (from_config), one message, three contracts: counted once.
    assert component["grade"] == pytest.approx((1 - 1 / 6 + 1) / 2, abs=1e-3)


def test_a_file_left_out_by_its_name_is_listed_not_passed_silently(graded):
    _, _, _, report = graded
    assert report["skipped"] == ["submissions/setup.py"]
    assert "setup.py" not in by_file(report["files"])


def test_a_file_named_as_a_test_module_fails_the_assignment(assigned):
    _, records = assigned
    record = records["test_dave.py"]
    assert record["error"].startswith("not checked: kgen takes files named test_*.py")
    assert record["grade"] == 0


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--json", "--json-lines"], "--json and --json-lines do not go together"),
        (["--write", "--json-lines"], "--write and --json-lines do not go together"),
        (["--profiles", "bad.toml"], "[assignment]: components names no [[component]]"),
    ],
)
def test_a_wrong_grading_command_is_one_line_and_runs_nothing(
    tmp_path, arguments, message
):
    folder = teacher(tmp_path, "forges.py")  # its sleeper would show that it ran
    (folder / "bad.toml").write_text(
        '[assignment]\ncomponents = ["Huber"]\n'
        '[[component]]\nkind = "layer"\nname = "SimpleDense"\n'
    )
    result = kgen_check("submissions", *arguments, cwd=folder)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("kgen: error: ") and message in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert not running("kgen-hostile-sleeper")
