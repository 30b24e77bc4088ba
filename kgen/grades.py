"""A grade for each component `kgen check` checked, and each file, from 0 to 1: mistakes
counted, not failed contracts, and the math apart from the rest.

One mistake often fails several contracts: a constructor without **kwargs fails the config
round trip, the registered name, the saved model and more, all for the one cause their
messages show (kgen.contracts.note_for), or with one message. So each part of a grade
loses one share per distinct cause:

- the math: the reference-math contract, where it ran: 1 or 0 (left out of the grade
  when its failure has the cause of another contract's: that mistake is counted there);
- the rest: 1 minus the distinct causes of its failed contracts over its contracts.

The grade is the mean of the parts there are. A component that could not be checked, or
a file that did not import, grades 0; a file's grade is its graded components' mean (one
the assignment asks for and it lacks counting 0). Checked on several backends, a file has
a record and a grade for each, and its grade is the lowest of them: a component must
work on every backend it is checked on.
"""

import re

from kgen.contracts import note_for

MATH = {"test_computes_the_reference_math"}


def add_grades(records: list[dict]) -> None:
    """`grade` in each record and each of its components (None: not graded)."""
    for record in records:
        grades = []
        for component in record["components"]:
            component["grade"] = _graded(component)
            if component["grade"] is not None:
                grades.append(component["grade"])
        if record["error"] or not grades:
            record["grade"] = 0.0
        else:
            record["grade"] = round(sum(grades) / len(grades), 3)


def _graded(component: dict) -> float | None:
    if not component.get("graded", True):
        return None
    rows = [row for row in component["contracts"] if row["outcome"] != "skipped"]
    if component["problem"] or not rows:
        return 0.0
    math = [row for row in rows if row["contract"] in MATH]
    rest = [row for row in rows if row["contract"] not in MATH]
    causes = {_cause(row) for row in rest if row["outcome"] == "failed"}
    parts = []
    if rest:
        parts.append(1 - len(causes) / len(rest))
    for row in math:
        if row["outcome"] == "passed":
            parts.append(1.0)
        elif _cause(row) not in causes:
            parts.append(0.0)
    return round(sum(parts) / len(parts), 3) if parts else 0.0


def _cause(row: dict) -> str:
    """The mistake a failure points to: the one its error names (a missing **kwargs
    says "unexpected keyword argument" in the traceback the worker saw: its `cause`),
    else its message (one error, met by several contracts), else the contract."""
    message = re.sub(r"^\[[^\]]*\] ", "", row["message"])  # [defaults], [samples]
    return row.get("cause") or note_for("", message) or message or row["contract"]


def lowest_grades(records: list[dict]) -> dict[str, dict]:
    """Each target's grade, the lowest of its records' (one per backend), with each
    backend's: `{"alice.py": {"grade": 0.5, "backends": {"tensorflow": 1.0, "jax":
    0.5}}}`."""
    by_target: dict[str, dict[str, float]] = {}
    for record in records:
        grade = record.get("grade")
        if grade is not None:
            by_target.setdefault(record["target"], {})[record["backend"]] = grade
    return {
        target: {"grade": min(grades.values()), "backends": grades}
        for target, grades in by_target.items()
    }
