"""Hand-written method bodies: checked, then placed into generated code exactly as written.

A body is refused unless it compiles where it will stand (`await` outside an async function,
`nonlocal` without a binding, `return` in a generator's ... are caught with the method and the
line). Indenting and dedenting are tokenize-aware: lines inside a multi-line string are kept
byte for byte. Characters that Python or `str.splitlines` (and so Jinja) take for a line break
are refused outside string literals, where a template could turn comment text into code; inside
string literals they are kept, except a lone carriage return, which Python itself reads as a
line break (a Windows line end, CR LF, is read as LF).
"""

import ast
import io
import os
import re
import textwrap
import tokenize
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from kgen.errors import KgenError
from kgen.names import Names

if TYPE_CHECKING:
    from kgen.kinds import Kind
    from kgen.spec import ComponentSpec

# Line breaks to str.splitlines() but not to Python's tokenizer (besides LF and CR).
_HIDDEN_BREAKS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_MARKER = "kgen: the body of "
_STRING_START = {tokenize.STRING, getattr(tokenize, "FSTRING_START", tokenize.STRING)}
_STRING_END = {tokenize.STRING, getattr(tokenize, "FSTRING_END", tokenize.STRING)}


# Levels of nesting in a piece of the user's code (kgen's own modules reach 16).
_DEEPEST = 100

# The lines kgen.explanations replaces, in the module a body goes into.
_EXPLAIN_MARKER = re.compile(r"^[ \t]*# kgen-explain:", re.MULTILINE)


def check_bodies(
    methods: tuple[str, ...], what: str, names: Names, bodies: dict[str, str]
) -> dict[str, str]:
    """Each body for a method the kind has, that parses: dedented, without blank ends."""
    checked = {}
    for method, code in bodies.items():
        if method not in methods:
            raise KgenError(
                f"{names.class_name}: no method {method!r} in {what}; bodies can be "
                f"given for: {', '.join(methods)}"
            )
        where = f"{names.class_name}: the body of {method}"
        checked[method] = check_code(code.replace("\r\n", "\n"), where)
    return checked


# The names each backend's package is bound to in code: `import tensorflow as tf`.
_BACKEND_NAMES = {
    "tensorflow": {"tf", "tensorflow"},
    "jax": {"jax", "jnp"},
    "torch": {"torch"},
}


def check_backend_names(code: dict[str, str], backend: str, class_name: str) -> None:
    """`code`: what each piece is ("the body of train_step") -> its text. Code written for one backend (a model's train_step) uses no other's package: a
    GradientTape in a JAX model would import TensorFlow beside JAX and fail only when
    its tests run."""
    for where, text in code.items():
        try:
            tree = ast.parse(f"def _():\n{textwrap.indent(text, '    ')}\n")
        except SyntaxError:
            continue  # compiling the module says what is wrong
        used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        # An import of the package is a use too: `import tensorflow as tf`.
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                used |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                used.add(node.module.split(".")[0])
        for other, bound in _BACKEND_NAMES.items():
            found = sorted(used & bound)
            if other != backend and found:
                raise KgenError(
                    f"{class_name}: {where} uses {found[0]} ({other}), but "
                    f"the model is written for {backend}: write it as `kgen explain "
                    f"model --backend {backend}` shows, or give --backend {other}"
                )


def check_signatures(
    signatures: dict[str, str], kind: "Kind", style: str, names: Names
) -> dict[str, str]:
    """The arguments after self of generated methods (`call = "inputs, training=None"`):
    of a method the class writes, and parsing as a def's."""
    methods = [m for m in kind.methods_of(style) if m not in ("init", "function")]
    checked = {}
    for method, arguments in signatures.items():
        where = f"{names.class_name}: the signature of {method}"
        if method not in methods:
            raise KgenError(
                f"{names.class_name}: no method {method!r} to give a signature; "
                f"signatures can be given for: {', '.join(methods) or 'none'}"
            )
        if not isinstance(arguments, str) or any(c in arguments for c in "\n\r#"):
            raise KgenError(f"{where}: the arguments after self, on one line")
        arguments = " ".join(arguments.split())
        definition = f"def f(self, {arguments}):\n    pass"
        check_depth(definition, where)
        try:
            tree = ast.parse(definition)
        except SyntaxError as error:
            raise KgenError(f"{where} does not parse: {error.msg}") from None
        if len(tree.body) != 1 or not isinstance(tree.body[0], ast.FunctionDef):
            raise KgenError(
                f"{where}: the arguments after self, such as 'inputs, mask=None'"
            )
        try:  # an argument named twice parses
            compile(tree, where, "exec", dont_inherit=True)
        except SyntaxError as error:
            raise KgenError(f"{where} does not compile: {error.msg}") from None
        checked[method] = arguments
    return checked


def check_depth(code: str, where: str) -> None:
    """Refuse code nested deeper than the tools reading the generated code can follow
    (black and pyflakes recurse once a level: a sum of 500 terms is 500 levels). Code
    that does not parse is left to the caller, who says why in its own words."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return
    except (RecursionError, MemoryError):
        raise KgenError(f"{where} is nested too deeply for Python to read") from None
    deepest, todo = 0, [(tree, 1)]
    while todo:
        node, depth = todo.pop()
        deepest = max(deepest, depth)
        todo += [(child, depth + 1) for child in ast.iter_child_nodes(node)]
    if deepest > _DEEPEST:
        raise KgenError(
            f"{where} is nested {deepest} levels deep; at most {_DEEPEST}: split it up"
        )


def check_code(code: str, where: str) -> str:
    check_depth(code, where)
    if "\r" in code:
        line = code.count("\n", 0, code.index("\r")) + 1
        raise KgenError(
            f"{where} has a lone carriage return (line {line}); end lines with LF"
        )
    try:
        strings = _string_tokens(code)
    except (tokenize.TokenError, SyntaxError):  # ast.parse below says what is wrong
        strings = None
    spans = _offsets(code, strings or [])
    for offset, char in enumerate(code):
        if char in _HIDDEN_BREAKS and not any(a <= offset < b for a, b in spans):
            line = code.count("\n", 0, offset) + 1
            raise KgenError(
                f"{where} has U+{ord(char):04X} outside a string (line {line}): a line "
                "break to Jinja, so comment text could become code; remove it"
            )
    if strings is None:
        code = textwrap.dedent(code)
    else:
        code = _dedent(code, _rows_inside(strings))
    code = code.strip("\n")
    marker = _EXPLAIN_MARKER.search(code)
    if marker:
        line = code.count("\n", 0, marker.start()) + 1
        raise KgenError(
            f"{where} has a '# kgen-explain:' line (line {line}), the marker kgen "
            "replaces with its --explain comments; reword it"
        )
    try:
        ast.parse(code)
    except SyntaxError as error:
        raise KgenError(
            f"{where} does not parse: {error.msg} (line {error.lineno})"
        ) from None
    return code


def check_bodies_compile(
    spec: "ComponentSpec", render_module: Callable[["ComponentSpec"], str]
) -> None:
    """Compile each body where the module's template puts it (in its method, class and
    enclosing functions), so that what parses but cannot compile is refused."""
    if not spec.bodies:
        return
    marked = replace(spec, bodies={m: repr(_MARKER + m) for m in spec.bodies})
    source = render_module(marked)
    for method, code in spec.bodies.items():
        tree = ast.parse(source)
        for statements in _statement_lists(tree):
            for index, statement in enumerate(statements):
                if _marker_of(statement) == method:
                    statements[index : index + 1] = ast.parse(code).body
        try:
            compile(tree, f"<the body of {method}>", "exec", dont_inherit=True)
        except SyntaxError as error:
            raise KgenError(
                f"{spec.names.class_name}: the body of {method} does not compile where "
                f"it stands: {error.msg} (line {error.lineno})"
            ) from None


def indent_body(code: str, columns: int) -> str:
    """`code` indented by `columns` spaces, except blank lines and the lines inside a
    multi-line string, which stay as they are (Jinja's `indent` filter would change them).
    """
    inside = _rows_inside(_string_tokens(code))
    lines = code.split("\n")
    return "\n".join(
        line if number in inside or not line.strip() else " " * columns + line
        for number, line in enumerate(lines, start=1)
    )


def _dedent(code: str, inside: set[int]) -> str:
    """textwrap.dedent, but for the lines that start outside a string."""
    lines = code.split("\n")
    outside = [
        line
        for number, line in enumerate(lines, start=1)
        if number not in inside and line.strip()
    ]
    margin = os.path.commonprefix(
        [line[: len(line) - len(line.lstrip())] for line in outside]
    )
    return "\n".join(
        line if number in inside else (line[len(margin) :] if line.strip() else "")
        for number, line in enumerate(lines, start=1)
    )


_Span = tuple[tuple[int, int], tuple[int, int]]  # (row, column) of start and end


def _string_tokens(code: str) -> list[_Span]:
    """(start, end) of each string literal, an f-string with its fields counting as one."""
    found, depth, start = [], 0, None
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type in _STRING_START and depth == 0:
            start = token.start
        if token.type in _STRING_START and token.type != tokenize.STRING:
            depth += 1
        if token.type in _STRING_END and token.type != tokenize.STRING:
            depth -= 1
        if token.type in _STRING_END and depth == 0:
            found.append((start, token.end))
    return found


def _rows_inside(strings: list[_Span]) -> set[int]:
    """The numbers of the lines that begin inside a string literal."""
    return {
        row for (first, _), (last, _) in strings for row in range(first + 1, last + 1)
    }


def _offsets(code: str, strings: list[_Span]) -> list[tuple[int, int]]:
    """The string literals as [start, end) offsets into `code`."""
    starts = [0]
    for line in code.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    return [
        (starts[a_row - 1] + a_col, starts[b_row - 1] + b_col)
        for (a_row, a_col), (b_row, b_col) in strings
    ]


def _statement_lists(tree: ast.AST) -> list[list[ast.stmt]]:
    return [
        value
        for node in ast.walk(tree)
        for _, value in ast.iter_fields(node)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt)
    ]


def _marker_of(statement: ast.stmt) -> str | None:
    if (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
        and statement.value.value.startswith(_MARKER)
    ):
        return statement.value.value.removeprefix(_MARKER)
    return None
