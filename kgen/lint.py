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
    _check_compiles(tree, file)
    _check_members(tree, file)
    _check_imports_kept(tree, source, file)
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


def _check_compiles(tree: ast.Module, file: str) -> None:
    """What parses but cannot compile where the user's code stands: `return` among a
    class's members, an argument named twice in a signature."""
    try:
        compile(tree, file, "exec", dont_inherit=True)
    except SyntaxError as error:
        raise KgenError(
            f"{file} does not compile: {error.msg} (line {error.lineno})"
        ) from None


def _check_imports_kept(tree: ast.Module, source: str, file: str) -> None:
    """A name the module imports, bound again: at its top level (`keras = None`, `import
    os as np` in the test helpers), every use after it would get the user's value; in a
    function (`(keras := ...)` in a test value), every use in it."""
    imported = _imports(tree, file)
    module = symtable.symtable(source, file, "exec")
    for symbol in module.get_symbols():
        if symbol.is_imported() and symbol.is_assigned():
            raise KgenError(
                f"{file}: {symbol.get_name()!r} is imported and bound again at the top "
                "of the module; name yours otherwise"
            )
    scopes = list(module.get_children())
    while scopes:
        scope = scopes.pop()
        scopes += scope.get_children()
        for symbol in scope.get_symbols():
            if symbol.get_name() in imported and symbol.is_assigned():
                raise KgenError(
                    f"{file}: {symbol.get_name()!r} is imported and bound again in "
                    f"{scope.get_name()}; name yours otherwise"
                )


def _imports(tree: ast.Module, file: str) -> set[str]:
    """The names the module's top level imports; refused if one is imported as two
    different things."""
    imported: dict[str, str] = {}
    for node in tree.body:
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        for alias in node.names:
            name = alias.asname or alias.name.split(".")[0]
            if isinstance(node, ast.ImportFrom):
                origin = f"{'.' * node.level}{node.module or ''}.{alias.name}"
            else:  # `import os.path` binds os
                origin = alias.name if alias.asname else name
            if imported.setdefault(name, origin) != origin:
                raise KgenError(
                    f"{file}: {name!r} is imported as {imported[name]} and as {origin} "
                    f"(line {node.lineno}); name yours otherwise"
                )
    return set(imported)


def _hint(name: str) -> str:
    if name in sys.stdlib_module_names:
        return f"import it: --import 'import {name}' (a build spec's imports)"
    return "define it, or import it with --import (a build spec's imports)"


def _user_code_using(spec: ComponentSpec, name: str) -> str:
    """Which piece of the user's code uses `name`: `Huber: the body of call`..."""
    pieces = {f"the body of {m}": code for m, code in spec.bodies.items()}
    pieces["the extra members"] = spec.extra
    pieces["the module extra"] = spec.module_extra
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
