"""Generated code checked as a linter checks it, with pyflakes: every name the code uses is
defined, and no class member or function is defined twice. Only code with something of
the user's in it is checked (bodies, members, test values, templates): kgen's own
templates are checked by its test suite."""

import ast
import sys

from kgen.errors import KgenError
from kgen.spec import ComponentSpec


def check_names(source: str, file: str, spec: ComponentSpec) -> None:
    """One line naming the first undefined or twice-defined name, and where it is."""
    from pyflakes import checker, messages  # about 35 ms, only for the user's code

    found = checker.Checker(ast.parse(source), filename=file)
    for message in sorted(found.messages, key=lambda m: (m.lineno, m.col)):
        if isinstance(message, messages.UndefinedName):
            name = message.message_args[0]
            raise KgenError(
                f"{_user_code_using(spec, name) or file} uses the undefined name "
                f"{name!r} (line {message.lineno} of {file}); {_hint(name)}"
            )
        if isinstance(message, messages.RedefinedWhileUnused):
            name, first = message.message_args
            raise KgenError(
                f"{file}: {name!r} is defined twice (lines {first} and "
                f"{message.lineno}); a method the class writes takes a body, not a "
                "second definition in extra"
            )


def _hint(name: str) -> str:
    if name in sys.stdlib_module_names:
        return f"import it: --import 'import {name}' (a build spec's imports)"
    return "define it, or import it with --import (a build spec's imports)"


def _user_code_using(spec: ComponentSpec, name: str) -> str:
    """Which piece of the user's code uses `name`: `Huber: the body of call`..."""
    pieces = {f"the body of {m}": code for m, code in spec.bodies.items()}
    pieces["the extra members"] = spec.extra
    pieces["the reference"] = spec.reference
    for param in spec.nested_params:
        if param.name in spec.profile.samples:
            pieces[f"the test value of {param.name}"] = spec.profile.samples[param.name]
    for method, arguments in spec.signatures.items():
        pieces[f"the signature of {method}"] = f"def f(self, {arguments}): pass"
    for piece, code in pieces.items():
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(tree)):
            return f"{spec.names.class_name}: {piece}"
    return ""
