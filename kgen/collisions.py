"""One registered name, one component.

Keras keeps one class per registered name ("demo>Huber"): a second registration silently
replaces the first, and a saved model then loads the wrong class. So kgen refuses a
component whose registered name (or module file) another one already has: in a project,
by the names its manifest records; in a folder of loose modules, by the
`register_keras_serializable` decorators of the modules there. Regenerating the same
component is no collision.
"""

import ast
import functools
from pathlib import Path

from kgen.errors import KgenError
from kgen.manifest import Record
from kgen.spec import DEFAULT_PACKAGE, ComponentSpec

_REGISTER = "register_keras_serializable"


def refuse_in_project(
    spec: ComponentSpec, own_key: str, own_files: set[str], records: dict[str, Record]
) -> None:
    """Refuse `spec` (recorded as `own_key`, writing `own_files`) if another record of the
    manifest registers the same name or owns one of those files."""
    for other_key, record in sorted(records.items()):
        if other_key == own_key:
            continue
        shared = sorted(own_files & set(record.files))
        if shared:
            raise KgenError(
                f"{spec.kind.name} {spec.names.class_name} would write {shared[0]}, "
                f"which is {other_key}'s; give another --out or name"
            )
        if record.registered == spec.registered_name:
            module = next(iter(record.files), other_key)
            raise _collision(spec, f"{other_key} ({module})")


def refuse_in_folder(spec: ComponentSpec, folder: Path) -> None:
    """Refuse `spec` if a module in `folder`, other than the one it writes, registers the
    same name."""
    for path in sorted(folder.glob("*.py")):
        if path.name != spec.names.module_file and (
            spec.registered_name in registered_names(path)
        ):
            raise _collision(spec, str(path))


def refuse_duplicates(specs: list[ComponentSpec]) -> None:
    """Refuse a list of specs (a build spec) in which two register the same name."""
    seen: dict[str, ComponentSpec] = {}
    for spec in specs:
        first = seen.setdefault(spec.registered_name, spec)
        if first is not spec:
            raise KgenError(
                f"{first.kind.name} {first.names.class_name} and "
                f"{spec.kind.name} {spec.names.class_name} both register as "
                f"{spec.registered_name}; give one another name or package"
            )


def registered_names(path: Path) -> frozenset[str]:
    """The names the module at `path` registers with Keras's decorator, read with `ast`;
    nothing for a file that cannot be read or parsed (it is not kgen's to judge)."""
    try:
        stat = path.stat()
    except OSError:
        return frozenset()
    return _registered_in(path, stat.st_mtime_ns, stat.st_size)


@functools.cache
def _registered_in(path: Path, mtime_ns: int, size: int) -> frozenset[str]:
    """registered_names, read once per version of the file: a build checks every
    component against the same folder."""
    try:
        source = path.read_bytes()
        if _REGISTER.encode() not in source:
            return frozenset()
        tree = ast.parse(source)
    except (OSError, SyntaxError, ValueError):
        return frozenset()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef | ast.FunctionDef):
            for decorator in node.decorator_list:
                if _is_register(decorator):
                    names.add(_registered_name(decorator, node.name))
    return frozenset(names)


def _is_register(decorator: ast.expr) -> bool:
    if not isinstance(decorator, ast.Call):
        return False
    func = decorator.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return name == _REGISTER


def _registered_name(call: ast.Call, default: str) -> str:
    """`package>name` as Keras forms it: package and name by keyword or position."""
    values = dict(zip(("package", "name"), call.args, strict=False))
    values.update({kw.arg: kw.value for kw in call.keywords if kw.arg})
    package, name = values.get("package"), values.get("name")
    package = package.value if isinstance(package, ast.Constant) else DEFAULT_PACKAGE
    name = name.value if isinstance(name, ast.Constant) and name.value else default
    return f"{package}>{name}"


def _collision(spec: ComponentSpec, other: str) -> KgenError:
    return KgenError(
        f"{spec.kind.name} {spec.names.class_name} would register as "
        f"{spec.registered_name}, as {other} does already: Keras would load one for the "
        f"other; make them distinct, e.g. --package {spec.package}.{spec.kind.subpackage}"
    )
