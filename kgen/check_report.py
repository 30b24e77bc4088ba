"""What `kgen check` prints: a table per component, one row per contract, or the same as
JSON for programs (a grader's script). The JSON's shape is documented in the README and
versioned: a change to it is a new `version`."""

JSON_VERSION = 1


def all_passed(records: list[dict]) -> bool:
    """True when some component was found and every one passed every contract."""
    components = [c for record in records for c in record["components"]]
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


def json_report(records: list[dict]) -> dict:
    return {"version": JSON_VERSION, "passed": all_passed(records), "files": records}


def text_report(records: list[dict]) -> str:
    lines = []
    checked = passed = 0
    for record in records:
        if (record["file"] or "").endswith("__init__.py") and not (
            record["components"] or record["error"]
        ):
            continue  # a package's own module, with no component of its own
        lines.append(record["target"])
        if record["error"]:
            lines.append(f"  error: {record['error']}")
        elif not record["components"]:
            lines.append(
                "  no Keras component found (a class of a kind kgen knows, or a registered function)"
            )
        for component in record["components"]:
            checked += 1
            passed += component["passed"]
            lines += _component_lines(component)
        lines.append("")
    if checked:
        failed = checked - passed
        lines.append(
            f"{checked} component{'s' * (checked != 1)} checked: {passed} passed every "
            f"contract, {failed} did not."
        )
    else:
        lines.append("no component checked.")
    return "\n".join(lines)


def _component_lines(component: dict) -> list[str]:
    registered = component["registered"]
    about = [component["kind"] or "?", component["style"] + " style"]
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
        lines.append(f"    (left at their defaults, of no type kgen can vary: {kept})")
    if rows:
        good = sum(row["outcome"] == "passed" for row in rows)
        lines.append(f"    {good} of {len(rows)} contracts passed")
    return lines
