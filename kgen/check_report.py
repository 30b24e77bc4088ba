"""What `kgen check` prints: a table per component, one row per contract (a failure's
cause in one line), or the same as JSON for programs (a grader's script). The JSON's shape
is documented in the README and versioned: a change to it is a new `version`."""

import itertools
import re

from kgen.grades import lowest_grades

JSON_VERSION = 1


def all_passed(records: list[dict]) -> bool:
    """True when some component was found and every one graded passed every contract."""
    components = [
        c for record in records for c in record["components"] if c.get("graded", True)
    ]
    return (
        bool(components)
        and not any(record["error"] for record in records)
        and all(component["passed"] for component in components)
    )


def all_written(records: list[dict]) -> bool:
    """True when some component was found and every one got its tests (--write)."""
    components = [c for record in records for c in record["components"]]
    return (
        bool(components)
        and not any(record["error"] for record in records)
        and not any(component["problem"] for component in components)
    )


def json_report(records: list[dict], skipped: list[str] = ()) -> dict:
    """`skipped`: the files of a folder left out by their names (tests...). `grades`:
    each file's, the lowest over the backends it was checked on, with each one's."""
    return {
        "version": JSON_VERSION,
        "passed": all_passed(records),
        "backends": backends_of(records),
        "files": records,
        "grades": lowest_grades(records),
        "skipped": list(skipped),
    }


def backends_of(records: list[dict]) -> list[str]:
    """The backends the records were checked on, in their order."""
    return list(dict.fromkeys(record["backend"] for record in records))


def json_summary(records: list[dict], skipped: list[str] = ()) -> dict:
    """--json-lines' last line, after the records: the report without them (its absence
    tells an interrupted run)."""
    return {**json_report(records, skipped), "files": len(records)}


def text_report(records: list[dict], skipped: list[str] = ()) -> str:
    """Each file's table; on several backends (or one that is not TensorFlow), one per
    backend, the file named with its backend (`alice.py (jax)`), then its grade over
    them all where grades were given: the lowest."""
    lines = []
    backends = backends_of(records)
    named = backends != ["tensorflow"]
    grades = lowest_grades(records)
    outcomes: dict[tuple[str, str], bool] = {}  # each component: on every backend?
    for index, record in enumerate(records):
        if (record["file"] or "").endswith("__init__.py") and not (
            record["components"] or record["error"]
        ):
            continue  # a package's own module, with no component of its own
        lines.append(
            f"{record['target']} ({record['backend']})" if named else record["target"]
        )
        if record["error"]:
            lines.append(f"  error: {record['error']}")
        elif not record["components"]:
            lines.append(
                "  no Keras component found (a class of a kind kgen knows, or a registered function)"
            )
        for component in record["components"]:
            if component.get("graded", True):
                key = (record["target"], component["component"])
                outcomes[key] = outcomes.get(key, True) and component["passed"]
            lines += _component_lines(component)
        last = index + 1 == len(records) or records[index + 1]["target"] != (
            record["target"]
        )
        if len(backends) > 1 and last and record["target"] in grades:
            lowest = grades[record["target"]]["grade"]
            lines.append(f"  grade on every backend (the lowest): {lowest:.0%}")
        lines.append("")
    if skipped:
        shown = ", ".join(skipped[:5])
        more = f" and {len(skipped) - 5} more (--json lists them)" * (len(skipped) > 5)
        lines.append(
            f"not checked, taken by their names for tests or build scripts: {shown}{more}"
        )
        lines.append("")
    failing = {record["target"] for record in records if record["error"]}
    outcomes = {key: ok and key[0] not in failing for key, ok in outcomes.items()}
    checked, passed = len(outcomes), sum(outcomes.values())
    on = f" on {_listed(backends)}" * named
    every = " on every backend" * (len(backends) > 1)
    if checked:
        failed = checked - passed
        lines.append(
            f"{checked} component{'s' * (checked != 1)} checked{on}: {passed} passed "
            f"every contract{every}, {failed} did not."
        )
    else:
        lines.append(f"no component checked{on}.")
    errors = len(failing)
    if errors:
        lines[-1] += f" {errors} file{'s' * (errors != 1)} could not be checked."
    return "\n".join(lines)


def _listed(names: list[str]) -> str:
    """`tensorflow`, `tensorflow and jax`, `tensorflow, jax and torch`."""
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def _component_lines(component: dict) -> list[str]:
    registered = component["registered"]
    about = [component["kind"] or "?"]
    if component["style"]:  # else not found: the assignment's, missing
        about.append(component["style"] + " style")
        about.append(f"registered as {registered}" if registered else "not registered")
    lines = [f"  {component['component']} ({', '.join(about)})"]
    if component["problem"]:
        lines.append(f"    cannot check: {component['problem']}")
    lines += [f"    ({note})" for note in component["notes"]]
    rows = component["contracts"]
    for row in rows:
        label = {"passed": "passed", "failed": "FAILED", "skipped": "skipped"}[
            row["outcome"]
        ]
        lines.append(
            f"    {label:<8}{row['contract'].removeprefix('test_').replace('_', ' ')}"
        )
        for detail in (row["message"], row["note"]):
            if detail and row["outcome"] != "passed":
                lines.append(f"            {detail}")
    if component["unchecked"]:
        kept = ", ".join(component["unchecked"])
        lines.append(
            f"    (left at their defaults, as kgen cannot tell what else they take: {kept})"
        )
    if rows:
        good = sum(row["outcome"] == "passed" for row in rows)
        lines.append(f"    {good} of {len(rows)} contracts passed{_grade(component)}")
    return lines


def _grade(component: dict) -> str:
    grade = component.get("grade")
    return "" if grade is None else f"; grade {grade:.0%}"


def one_line_cause(text: str) -> str:
    """The cause in one line: the first of the message; a bare `AssertionError:`
    (numpy's) with the two lines after it; Keras's "Exception encountered when calling"
    with the error it wraps; of a traceback in the message (a heavy test's child
    process's), the error it ends with."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)  # Keras's bold
    text = _raised(text)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if lines and lines[0] in ("AssertionError:", "AssertionError"):
        lines = ["; ".join(lines[1:3])]
    elif lines and "Exception encountered when calling" in lines[0]:
        wrapped = list(
            itertools.takewhile(lambda l: not l.startswith("Arguments"), lines)
        )
        if len(wrapped) > 1:
            lines = [f"{lines[0]} {wrapped[-1]}"]
    line = lines[0] if lines else ""
    line = re.sub(
        r"^(?:\w+\.)+(?=\w+:)", "", line
    )  # tensorflow.python...Error: → Error:
    return line if len(line) <= 300 else line[:297] + "..."


_TRACEBACK = "Traceback (most recent call last):"
_FRAME = re.compile(r'", line \d+(?:, in |\s*$)')


def _raised(text: str) -> str:
    """The error a Python traceback in `text` ends with, its message's lines and no
    more (not pytest's explanation after it); `text` itself if it holds none. The
    traceback may be a child process's output (after its warnings) or its last 3000
    characters (its start cut off), indented by pytest."""
    lines = text.splitlines()
    headers = [
        index
        for index, line in enumerate(lines)
        if line.strip().removeprefix("AssertionError:").strip() == _TRACEBACK
    ]
    if headers:
        start, framed = headers[-1] + 1, False
    elif lines and lines[0].startswith("AssertionError:"):
        start, framed = 1, bool(_FRAME.search(lines[0]))  # its start cut off?
    else:
        return text
    # Frames, then their source lines deeper, then the error less deep than both.
    deepest = -1
    for index in range(start, len(lines)):
        line = lines[index]
        if not line.strip():
            continue
        if _FRAME.search(line):
            framed, deepest = True, max(deepest, _indent(line))
            continue
        if framed and _indent(line) <= deepest - 2:
            raised, indent = [], _indent(line)
            for line in lines[index:]:
                if line.strip() and _indent(line) < indent:
                    break  # pytest's `assert ...` after the message
                raised.append(line)
            return "\n".join(raised)
        deepest = max(deepest, _indent(line))
    return text


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())
