"""The Keras backends kgen generates for and checks on, and which one a command uses.

The order is the same everywhere: a `--backend` option, else the project's
`[tool.kgen] backend`, else `KERAS_BACKEND` (as Keras itself reads it), else TensorFlow.
Nothing here imports a backend: generating stays fast.
"""

import importlib.util
import os
import sys

from kgen.errors import KgenError

BACKENDS = ("tensorflow", "jax", "torch")  # each the name of the package it needs


def check_backend(name: str, where: str) -> str:
    if name not in BACKENDS:
        raise KgenError(
            f"{where}: unknown backend {name!r}; choose one of {', '.join(BACKENDS)}"
        )
    return name


def default_backend(
    project_backend: str | None = None, *, environment: bool = True
) -> str:
    """The backend a command uses when `--backend` is not given. `environment=False`
    leaves `KERAS_BACKEND` out, for commands whose output must not depend on the shell
    (`kgen build` of a checked-in spec)."""
    if project_backend:
        return project_backend
    if environment and os.environ.get("KERAS_BACKEND"):
        return check_backend(os.environ["KERAS_BACKEND"], "KERAS_BACKEND")
    return "tensorflow"


def parse_backends(option: str) -> list[str]:
    """`tensorflow,jax`: each once, in the order given."""
    names = [name.strip() for name in option.split(",")]
    if not all(names):
        raise KgenError(f"--backend {option!r}: give backend names separated by commas")
    for name in names:
        check_backend(name, "--backend")
    return list(dict.fromkeys(names))


def require_installed(backend: str) -> None:
    if importlib.util.find_spec(backend) is None:
        raise KgenError(
            f"backend {backend} needs {backend}, which is not installed: "
            f'pip install "kgen[{backend}]"'
        )


def hide_other_backends(backend: str) -> None:
    """Off TensorFlow, make this process see no TensorFlow, as if it were not installed:
    `import tensorflow` raises ModuleNotFoundError and `importlib.util.find_spec` finds
    nothing. Keras imports TensorFlow where it is installed (to tell its types when
    serializing), torch's compiler looks it up, and torch with TensorFlow in one process
    may crash: `kgen check` on jax or torch must judge a component as a machine without
    TensorFlow runs it. jax and torch stay visible: TensorFlow and torch import jax
    themselves, and a None in sys.modules for them breaks libraries that probe it
    (scipy's array API helpers, which Keras's STFTSpectrogram reaches). Call it before
    importing Keras.
    """
    if backend != "tensorflow" and "tensorflow" not in sys.modules:
        sys.modules["tensorflow"] = None  # the import system's own "not importable"


def hidden_import(error: BaseException, where: str = "") -> str | None:
    """What to tell of an import of a backend that hide_other_backends hid (`where`:
    the user's line that imported it), else None."""
    name = getattr(error, "name", None)
    if not isinstance(error, ModuleNotFoundError) or name not in BACKENDS:
        return None
    if sys.modules.get(name, False) is not None:
        return None  # not hidden: not installed
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    where = f" ({where})" if where else ""
    return (
        f"it imports {name}{where}, which Keras on {backend} does not use: kgen "
        f"check on {backend} runs it as a machine without {name} would"
    )
