"""Test values that keep a component's rules between its params, for `kgen check`.

kgen makes a test value for each param without knowing the rules a component keeps
between them (Keras's Conv2D refuses strides and a dilation rate both above 1). A value
that breaks the constructor, or the first call on the test data, is not the component's
failure: it is left at its default, and the report's notes say why. Runs in the check's
worker, on the test module rendered for the component.
"""

import importlib.util
from pathlib import Path

import numpy as np

from kgen.discover import one_line


def breaking_values(test_file: Path, found) -> dict[str, str]:
    """The params whose test value, with the others' that work, breaks the component
    made from the test module's arguments; each with the error it raised. Empty when
    every value works, or when the defaults alone break it too (a failure of its own,
    for the tests to report)."""
    if found.style != "class":
        return {}
    try:
        tests = _load(test_file)
        args = tests.make_args() if hasattr(tests, "make_args") else tests.ARGS
        required = dict(getattr(tests, "REQUIRED", {}))
        subject = getattr(tests, found.name)
    except Exception:  # noqa: BLE001 - the tests report what is wrong with it
        return {}

    def error_of(trial: dict) -> str:
        try:
            _first_call(subject(**trial), found.kind, tests)
        except Exception as error:  # noqa: BLE001 - the user's code, any error
            return one_line(error)
        return ""

    if not error_of(args) or error_of(required):
        return {}
    kept, broken = dict(required), {}
    for name, value in args.items():
        if name in required:
            continue
        error = error_of({**kept, name: value})
        if error:
            broken[name] = error
        else:
            kept[name] = value
    return broken


def _load(test_file: Path):
    """The rendered test module, run as a module of its own name, to read its data."""
    spec = importlib.util.spec_from_file_location(
        f"_values_{test_file.stem}", test_file
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _first_call(component, kind: str, tests) -> None:
    """What a model does first with the component, on the test module's data."""
    x, y = tests.make_data()
    weights = np.ones((4, 4), "float32")
    if kind in ("layer", "activation"):
        component(x)
    elif kind == "loss":
        component(y, tests.Y_PRED)
    elif kind == "metric":
        component.update_state(y, tests.Y_PRED)
        component.result()
    elif kind == "initializer":
        component(shape=(4, 4))
    elif kind in ("regularizer", "constraint"):
        component(weights)
