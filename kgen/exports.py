"""The export of a component from its subpackage's `__init__.py`, added and removed in place.

An export is one `from .module import Name as Name` statement (the redundant alias marks a
re-export, so linters keep it). It goes among the other relative imports in sorted order;
it is never added twice, and no other line of the file is touched.
"""

import ast
import functools

from kgen.errors import KgenError
from kgen.formatting import format_source
from kgen.spec import ComponentSpec


def export_statement(spec: ComponentSpec) -> str:
    """One `from .module import Name as Name` per exported name, formatted as black and
    ruff's isort write it (they keep aliased imports apart)."""
    names = [spec.names.class_name]
    if spec.style == "function":
        names = [spec.function_name]
        if spec.params:
            names.append(spec.factory_name)
    return "".join(
        format_source(
            f"from .{spec.names.module} import {name} as {name}\n",
            "export",
            styled=True,
        )
        for name in sorted(names)
    )


def with_export(source: str, statement: str, where: str) -> str:
    """`source` with `statement` added, unless it is there already."""
    lines = source.splitlines(keepends=True)
    if _find(lines, statement) is not None:
        return source
    relative = [
        node
        for node in _parse(source, where).body
        if isinstance(node, ast.ImportFrom) and node.level == 1
    ]
    key = _sort_key(_parse(statement, "the export").body[0])
    after = [node for node in relative if _sort_key(node) > key]
    if after:
        at = after[0].lineno - 1
    elif relative:
        at = relative[-1].end_lineno
    else:  # the first export: after the docstring and imports, a blank line before it
        at = len(lines)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        statement = ("\n" if lines and lines[-1].strip() else "") + statement
    return "".join(lines[:at]) + statement + "".join(lines[at:])


def _sort_key(node: ast.ImportFrom) -> tuple:
    """The order ruff's isort keeps: by module, then by name, in natural order."""
    natural = functools.cmp_to_key(natural_compare)
    return natural(node.module or ""), natural(node.names[0].name)


def natural_compare(a: str, b: str) -> int:
    """Martin Pool's strnatcmp, ignoring case, which ruff's isort sorts with (`natord`):
    `mod9` before `mod10`; a run of digits starting with 0 compares as a fraction."""
    a, b = a.lower(), b.lower()
    for i in range(max(len(a), len(b)) + 1):
        ca, cb = a[i : i + 1], b[i : i + 1]
        if ca.isdigit() and cb.isdigit():
            compare = _fractions if "0" in (ca, cb) else _integers
            result = compare(a[i:], b[i:])
            if result:
                return result
        if ca != cb:
            return -1 if ca < cb else 1
    return 0


def _digit_runs(a: str, b: str):
    """(is a digit, is b digit, a's char, b's char) along both runs of digits."""
    for k in range(max(len(a), len(b)) + 1):
        ca, cb = a[k : k + 1], b[k : k + 1]
        yield ca.isdigit(), cb.isdigit(), ca, cb


def _integers(a: str, b: str) -> int:
    """The longer run of digits is the larger; of two as long, the first difference."""
    bias = 0
    for da, db, ca, cb in _digit_runs(a, b):
        if not (da or db):
            return bias
        if not da or not db:
            return -1 if not da else 1
        if not bias and ca != cb:
            bias = -1 if ca < cb else 1
    return bias


def _fractions(a: str, b: str) -> int:
    """Digit by digit from the left; the shorter run first."""
    for da, db, ca, cb in _digit_runs(a, b):
        if not (da or db):
            return 0
        if not da or not db:
            return -1 if not da else 1
        if ca != cb:
            return -1 if ca < cb else 1
    return 0


def without_export(source: str, statement: str) -> str:
    """`source` without `statement`; unchanged if the user removed it already."""
    lines = source.splitlines(keepends=True)
    at = _find(lines, statement)
    if at is None:
        return source
    end = at + statement.count("\n")
    if (
        at
        and not lines[at - 1].strip()
        and (end == len(lines) or not lines[end].strip())
    ):
        at -= 1  # the blank line that set it apart goes too
    return "".join(lines[:at] + lines[end:])


def _find(lines: list[str], statement: str) -> int | None:
    wanted = statement.splitlines(keepends=True)
    for at in range(len(lines) - len(wanted) + 1):
        if [line.rstrip() for line in lines[at : at + len(wanted)]] == [
            line.rstrip() for line in wanted
        ]:
            return at
    return None


def _parse(source: str, where: str) -> ast.Module:
    try:
        return ast.parse(source)
    except SyntaxError as error:
        raise KgenError(
            f"{where} does not parse ({error.msg}, line {error.lineno}); "
            "fix it before kgen adds an export to it"
        ) from None
