"""Generated code checked as a linter checks it: every name the code uses is defined
(pyflakes), and no member of the class is defined twice. Only code with something of
the user's in it is checked (bodies, members, test values, templates): kgen's own
templates are checked by its test suite."""

import ast
import symtable
import sys

from kgen.errors import KgenError
from kgen.spec import ComponentSpec


def check_names(source: str, file: str, spec: ComponentSpec) -> None:
    """One line naming the first undefined or twice-defined name, and where it is."""
    from pyflakes import checker, messages  # about 35 ms, only for the user's code

    tree = ast.parse(source)
    _check_members(tree, file)
    _check_imports_kept(source, file)
    found = checker.Checker(tree, filename=file)
    for message in sorted(found.messages, key=lambda m: (m.lineno, m.col)):
        if isinstance(message, messages.UndefinedName):
            name = message.message_args[0]
            raise KgenError(
                f"{_user_code_using(spec, name) or file} uses the undefined name "
                f"{name!r} (line {message.lineno} of {file}); {_hint(name)}"
            )


def _check_members(tree: ast.Module, file: str) -> None:
    """A function of the module or a method of a class defined twice (a property's setter
    aside): a generated one and one of the user's (extra members, test helpers)."""
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    for node in (tree, *classes):
        first = {}
        for member in node.body:
            if not isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if any(isinstance(d, ast.Attribute) for d in member.decorator_list):
                continue  # @name.setter and the like
            if member.name in first:
                raise KgenError(
                    f"{file}: {member.name!r} is defined twice (lines "
                    f"{first[member.name]} and {member.lineno}); a method the class "
                    "writes takes a body; name a helper of your own otherwise"
                )
            first[member.name] = member.lineno


def _check_imports_kept(source: str, file: str) -> None:
    """A name the module imports, bound again at its top level (`keras = None` in the
    test helpers): every use after it would get the user's value."""
    for symbol in symtable.symtable(source, file, "exec").get_symbols():
        if symbol.is_imported() and symbol.is_assigned():
            raise KgenError(
                f"{file}: {symbol.get_name()!r} is imported and bound again at the top "
                "of the module; name yours otherwise"
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
    pieces["the test helpers"] = spec.profile.helpers
    pieces["the test compile arguments"] = f"f({spec.profile.compile})"
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
