"""Format generated source with black, then check that the result is Python."""

import ast

from kgen.errors import KgenError


def format_source(source: str, path: str) -> str:
    import black  # imported here: only a command that writes code needs it

    try:
        formatted = black.format_str(source, mode=black.Mode())
    except black.InvalidInput as error:
        raise KgenError(
            f"{path}: the generated code is not valid Python: {error}"
        ) from None
    try:
        ast.parse(formatted, filename=path)
    except (
        SyntaxError
    ) as error:  # black accepts a few things the running Python does not
        raise KgenError(
            f"{path}: the generated code does not parse: {error.msg}"
        ) from None
    return formatted


def format_snippet(code: str, width: int = 80) -> str:
    """Format a docstring's example code, narrower so that it fits once indented."""
    import black

    return black.format_str(code, mode=black.Mode(line_length=width)).rstrip("\n")
