"""Every name of a component (class, module, test module) derived in one place."""

import keyword
import os
import re
from dataclasses import dataclass
from pathlib import Path

from kgen.errors import KgenError
from kgen.importable import shadowable_modules

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")

# Not importable, but pytest loads it from every test folder.
_PYTEST_FILES = frozenset({"conftest"})

NAME_MAX = 255  # bytes in one file name, on Linux, macOS and Windows alike
PATH_MAX = 4096  # bytes in a whole path, on Linux


@dataclass(frozen=True)
class Names:
    class_name: str  # SimpleDense
    module: str  # simple_dense
    test_module: str  # test_simple_dense

    @property
    def module_file(self) -> str:
        return f"{self.module}.py"

    @property
    def test_file(self) -> str:
        return f"{self.test_module}.py"


def snake_case(name: str) -> str:
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return re.sub(r"_+", "_", name).lower()


def camel_case(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part)


def derive_names(raw: str) -> Names:
    """`SimpleDense` or `simple_dense` -> class `SimpleDense`, module `simple_dense`."""
    if not raw:
        raise KgenError(
            "NAME is empty; give a class name such as Huber or simple_dense"
        )
    if not _IDENTIFIER.match(raw):
        raise KgenError(
            f"NAME {raw!r} is not an identifier: use letters, digits and underscores, "
            "starting with a letter"
        )
    if "_" in raw or raw.islower():
        class_name, module = camel_case(raw), snake_case(raw)
    else:
        class_name = raw[0].upper() + raw[1:]
        module = snake_case(class_name)
    for word in (raw, class_name, module):
        if keyword.iskeyword(word):
            raise KgenError(f"NAME {raw!r} gives {word!r}, which is a Python keyword")
    names = Names(class_name=class_name, module=module, test_module=f"test_{module}")
    if len(names.test_file) > NAME_MAX:
        raise KgenError(
            f"NAME is {len(raw)} characters long: its test module's file name would pass "
            f"the {NAME_MAX}-byte limit; choose a shorter name"
        )
    for module_name in (names.module, names.test_module):
        if module_name in _PYTEST_FILES or module_name in shadowable_modules():
            raise KgenError(
                f"NAME {raw!r} gives the module {module_name}.py, which would shadow the "
                f"{module_name!r} module that the generated code or its tests import; "
                "choose another name"
            )
    return names


def check_package_name(package: str, what: str) -> None:
    """A Python package name kgen may create or import: an identifier that shadows nothing."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", package) or keyword.iskeyword(
        package
    ):
        raise KgenError(
            f"{what} {package!r} is not a Python package name; use letters, digits and "
            "underscores, starting with a letter"
        )
    if package == "kgen" or package in shadowable_modules():
        raise KgenError(
            f"{what} {package!r} would shadow the {package!r} module; choose another name"
        )


def check_path_length(path: Path) -> None:
    """Refuse, before anything is written, a path the file system would refuse."""
    absolute = os.fsencode(Path(os.path.abspath(path)))
    longest = max(absolute.split(b"/"), key=len)
    if len(longest) > NAME_MAX:
        raise KgenError(
            f"{os.fsdecode(longest[:40])}...: a file or folder name of {len(longest)} "
            f"bytes passes the {NAME_MAX}-byte limit"
        )
    if len(absolute) >= PATH_MAX:
        raise KgenError(
            f"{os.fsdecode(absolute[:40])}...: a path of {len(absolute)} bytes passes "
            f"the {PATH_MAX}-byte limit"
        )
