"""Every name of a component (class, module, test module) derived in one place."""

import keyword
import re
import sys
from dataclasses import dataclass

from kgen.errors import KgenError

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")

# Modules that a generated file must not shadow: it imports them, or TensorFlow does.
_THIRD_PARTY = frozenset(
    {
        "keras",
        "tensorflow",
        "numpy",
        "pytest",
        "jax",
        "torch",
        "h5py",
        "ml_dtypes",
        "absl",
        "google",
        "optree",
        "rich",
        "namex",
        "scipy",
        "conftest",
    }
)


# Names the generated modules define or import themselves.
_TAKEN_CLASS_NAMES = frozenset({"ARGS", "REGISTERED_NAME", "Path"})


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
    if class_name in _TAKEN_CLASS_NAMES:
        raise KgenError(f"NAME {raw!r} is a name the generated test module uses itself")
    if module in sys.stdlib_module_names or module in _THIRD_PARTY:
        raise KgenError(
            f"NAME {raw!r} gives the module {module}.py, which would shadow the "
            f"{module!r} module; choose another name"
        )
    return Names(class_name=class_name, module=module, test_module=f"test_{module}")


def check_package_name(package: str, what: str) -> None:
    """A Python package name kgen may create or import: an identifier that shadows nothing."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", package) or keyword.iskeyword(
        package
    ):
        raise KgenError(
            f"{what} {package!r} is not a Python package name; use letters, digits and "
            "underscores, starting with a letter"
        )
    if package in sys.stdlib_module_names or package in _THIRD_PARTY | {"kgen"}:
        raise KgenError(
            f"{what} {package!r} would shadow the {package!r} module; choose another name"
        )
