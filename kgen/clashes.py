"""Checks on rendered code: the names a user chose must not collide with the generator's.

Read from the rendered source with `ast`, so they hold whatever the templates become: in the
module, no name is bound by two top-level statements (a function `ops` and `from keras import
ops`); in the test module, what it imports from the component's module is bound nowhere else
(its helpers `make_data`, `build_model`, a local `x`) and is not a name pytest collects.
"""

import ast

from kgen.errors import KgenError

_PYTEST_PREFIXES = ("test", "Test")  # pytest's default python_functions, python_classes


def check_module_names(source: str, file: str) -> None:
    """No name bound twice at the top level of the generated module."""
    first_binding = {}
    for statement in ast.parse(source).body:
        for name in _top_level_names(statement):
            if name in first_binding:
                raise KgenError(
                    f"{file}: {name!r} would be both `{_describe(first_binding[name])}` "
                    f"and `{_describe(statement)}`; choose another NAME"
                )
            first_binding[name] = statement


def check_test_names(source: str, module: str, file: str) -> None:
    """What the test module imports from `module` is never rebound or collected as a test."""
    tree = ast.parse(source)
    imports = [
        node
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == module
    ]
    imported = {alias.asname or alias.name for node in imports for alias in node.names}
    # From a module in another folder: `Huber = module.Huber`, after importlib's import.
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Attribute)
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id == "module"
        ):
            imports += [node, *node.targets]
            imported.add(node.value.attr)
    for name in sorted(imported):
        if name.startswith(_PYTEST_PREFIXES):
            raise KgenError(
                f"{file}: pytest would collect {name}, imported from {module}, as a test; "
                "choose another NAME, not starting with 'test'"
            )
    for node in ast.walk(tree):
        if node in imports:
            continue
        for name in _bound_names(node) & imported:
            raise KgenError(
                f"{file}: {name!r}, imported from {module}, is bound again on line "
                f"{node.lineno} (`{_describe(node)}`); choose another NAME"
            )


def _top_level_names(statement: ast.stmt) -> set[str]:
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in statement.names}
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}
    return {
        node.id
        for node in ast.walk(statement)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    }


def _bound_names(node: ast.AST) -> set[str]:
    """The names `node` itself binds, in whatever scope it stands."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
        return {node.id}
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, ast.arg):
        return {node.arg}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    if isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
        return {node.name}
    if isinstance(node, ast.Global | ast.Nonlocal):
        return set(node.names)
    return set()


def _describe(node: ast.AST) -> str:
    """`from keras import ops`, `def ops`, `ops = ...`: the binding, in a few words."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return f"def {node.name}"
    if isinstance(node, ast.ClassDef):
        return f"class {node.name}"
    if isinstance(node, ast.arg):
        return f"def ...({node.arg})"
    if isinstance(node, ast.Name):
        return f"{node.id} = ..."
    text = ast.unparse(node).splitlines()[0]
    return text if len(text) <= 40 else text[:37] + "..."
