"""The imports of a generated file: kgen's own and those a component's bodies need
(`--import`, a build spec's `imports`), each kept only where the code uses the name it
binds, grouped and sorted as ruff's isort writes them (standard library, then the rest;
`import x` before `from x import y`; one `from` line per module)."""

import ast
import sys
from dataclasses import dataclass

from kgen.errors import KgenError

# The imports a generated file may need; each is kept only if the code uses its name.
KGEN_IMPORTS = (
    "import copy",
    "import importlib",
    "import json",
    "import os",
    "import random",
    "import subprocess",
    "import sys",
    "import zipfile",
    "from pathlib import Path",
    "import keras",
    "import numpy as np",
    "import pytest",
    "import tensorflow as tf",
    "import jax",
    "import torch",
    "from keras import ops",
)


@dataclass(frozen=True)
class Import:
    """One name an import statement binds."""

    module: str  # "math", "keras.layers"
    name: str = ""  # from-imports: the name taken from the module
    alias: str = ""

    @property
    def bound(self) -> str:
        """The name the code uses."""
        return self.alias or self.name or self.module.split(".")[0]

    @property
    def standard(self) -> bool:
        return self.module.split(".")[0] in sys.stdlib_module_names

    @property
    def source(self) -> str:
        """This one import as a statement."""
        alias = f" as {self.alias}" if self.alias else ""
        if self.name:
            return f"from {self.module} import {self.name}{alias}"
        return f"import {self.module}{alias}"


def parse_imports(texts: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Each text one absolute import statement, written back one name per statement in
    the form black writes; duplicates once."""
    found: list[Import] = []
    for text in texts:
        for one in _imports_of(text):
            theirs = _KGEN_BINDINGS.get(one.bound)
            if theirs is not None and theirs != one:
                raise KgenError(
                    f"--import {text!r}: binds {one.bound!r}, which the generated code "
                    f"uses for `{theirs.source}`; import it under another name"
                )
            if one not in found:
                found.append(one)
    return tuple(one.source for one in found)


def _imports_of(text: str) -> list[Import]:
    where = f"--import {text!r}"
    if not isinstance(text, str) or "\n" in text.strip() or "\r" in text:
        raise KgenError(
            f"{where}: one import statement on one line, such as 'import math'"
        )
    try:
        statements = ast.parse(text.strip()).body
    except SyntaxError as error:
        raise KgenError(f"{where}: does not parse: {error.msg}") from None
    if len(statements) != 1 or not isinstance(
        statements[0], ast.Import | ast.ImportFrom
    ):
        raise KgenError(f"{where}: not an import statement, such as 'import math'")
    statement = statements[0]
    if isinstance(statement, ast.Import):
        return [Import(a.name, alias=a.asname or "") for a in statement.names]
    if statement.level or not statement.module:
        raise KgenError(f"{where}: use an absolute import (the module's full name)")
    if statement.module == "__future__":
        raise KgenError(f"{where}: __future__ imports are not needed on Python 3.11")
    if any(a.name == "*" for a in statement.names):
        raise KgenError(f"{where}: import the names the bodies use, not *")
    return [Import(statement.module, a.name, a.asname or "") for a in statement.names]


def import_block(
    statements: list[str],
    used: set[str],
    kept: tuple[str, ...] = (),
    local: frozenset[str] = frozenset(),
) -> str:
    """The import section for `statements` (as parse_imports writes them), keeping those
    that bind a name in `used`, and those of `kept` in any case: an import the code does
    not use, kept for what importing does (registering a layer with Keras), is marked
    for linters. Modules of `local` (the user's own) come last, in a group of their own.
    """
    forced = {one for text in kept for one in _imports_of(text)}
    found = {
        one for text in statements for one in _imports_of(text) if one.bound in used
    } | forced
    unused = {one for one in forced if one.bound not in used}
    mine = {one for one in found if one.module.split(".")[0] in local}
    groups = [
        _sorted_lines([one for one in found - mine if one.standard], unused),
        _sorted_lines([one for one in found - mine if not one.standard], unused),
        _sorted_lines(list(mine), unused),
    ]
    return "\n\n".join("\n".join(group) for group in groups if group)


def _sorted_lines(imports: list[Import], unused: set[Import]) -> list[str]:
    plain = sorted(
        (one for one in imports if not one.name),
        key=lambda one: (one.module.lower(), one.alias),
    )
    modules = sorted({one.module for one in imports if one.name}, key=str.lower)
    lines = [one.source + _MARK * (one in unused) for one in plain]
    for module in modules:
        names = sorted(
            (one for one in imports if one.module == module and one.name),
            key=lambda one: (_name_type(one.name), one.name, one.alias),
        )
        listed = ", ".join(one.source.split(" import ", 1)[1] for one in names)
        mark = _MARK * any(one in unused for one in names)
        lines.append(f"from {module} import {listed}{mark}")
    return lines


_MARK = "  # noqa: F401 (imported for what importing it does)"


def _name_type(name: str) -> int:
    """ruff's order-by-type: CONSTANTS, then Classes, then the rest."""
    if name.isupper() and len(name) > 1:
        return 0
    return 1 if name[:1].isupper() else 2


_KGEN_BINDINGS = {one.bound: one for text in KGEN_IMPORTS for one in _imports_of(text)}
