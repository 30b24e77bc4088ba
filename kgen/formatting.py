"""Format generated source with black, then check that the result is Python.

Importing black takes most of a command's time, so it is avoided twice over:
- code rendered from kgen's own templates alone (`styled`) is already in black's style
  wherever its lines fit, since the templates are written that way: it is only checked
  (the property tests hold every such render to black's output);
- results are kept in kgen's cache (kgen.cache), keyed by the source, the installed black
  and the running Python: code formatted once is not formatted again.
"""

import ast
import functools
import importlib.util
import os
import sys
from collections.abc import Callable

from kgen import cache
from kgen.errors import KgenError

SOURCE_WIDTH = 88  # black's default
SNIPPET_WIDTH = 80  # docstring examples, narrower so that they fit once indented


def format_source(source: str, path: str, styled: bool = False) -> str:
    """`source` in black's style, checked to parse; `styled`: rendered from kgen's own
    templates, with no code or text of the user's in it."""
    if styled and _fits(source, SOURCE_WIDTH):
        return parsed(source, path)
    return _cached(
        "source", SOURCE_WIDTH, source, lambda: _format_and_check(source, path)
    )


def format_snippet(code: str, styled: bool = False) -> str:
    """Format a docstring's example code."""
    if styled and _fits(code, SNIPPET_WIDTH):
        return code.rstrip("\n")
    return _cached(
        "snippet",
        SNIPPET_WIDTH,
        code,
        lambda: _black(code, SNIPPET_WIDTH).rstrip("\n"),
    )


def _format_and_check(source: str, path: str) -> str:
    try:
        formatted = _black(source, SOURCE_WIDTH)
    except ValueError as error:  # black.InvalidInput, named without importing black
        raise KgenError(
            f"{path}: the generated code is not valid Python: {error}"
        ) from None
    return parsed(formatted, path)


def parsed(source: str, path: str) -> str:
    """`source`, if it parses as Python (black is not run)."""
    try:
        ast.parse(source, filename=path)
    except SyntaxError as error:  # black accepts a few things this Python does not
        raise KgenError(
            f"{path}: the generated code does not parse: {error.msg}"
        ) from None
    return source


def _fits(source: str, line_length: int) -> bool:
    """Every line within `line_length`, counted as black counts it (ASCII only: black
    counts some other characters twice)."""
    return source.isascii() and all(
        len(line) <= line_length for line in source.splitlines()
    )


def _black(source: str, line_length: int) -> str:
    import black  # only on a cache miss

    return black.format_str(source, mode=black.Mode(line_length=line_length))


def _cached(section: str, width: int, source: str, compute: Callable[[], str]) -> str:
    """`compute()`, or what it returned before for the same source, width, black and
    Python."""
    entry = cache.key(_black_installed(), sys.version, str(width), source)
    result = cache.read(section, entry)
    if result is None:
        result = compute()
        cache.write(section, entry, result)
    return result


@functools.cache
def _black_installed() -> str:
    """The installed black, without importing it: its path, size and modification time,
    which change with any upgrade or reinstall (finer than its version)."""
    origin = importlib.util.find_spec("black").origin
    stat = os.stat(origin)
    return f"{origin}:{stat.st_size}:{stat.st_mtime_ns}"
