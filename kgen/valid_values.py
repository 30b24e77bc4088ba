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
        names = list(_args(tests))
        required = set(getattr(tests, "REQUIRED", {}))
        subject = getattr(tests, found.name)
    except Exception:  # noqa: BLE001 - the tests report what is wrong with it
        return {}

    def error_of(chosen: list[str]) -> str:
        try:  # objects made anew for each use: a nested layer belongs to one model
            made = subject(**_picked(tests, chosen))
            outputs = _first_call(made, found.kind, tests)
            tests.build_model(_picked(tests, chosen))  # inputs of any batch size
            finite = all(
                np.all(np.isfinite(each.astype("float64"))) for each in outputs
            )
        except Exception as error:  # noqa: BLE001 - the user's code, any error
            return one_line(error)
        return "" if finite else "its first call gave values that are not finite"

    if not error_of(names) or error_of(sorted(required)):
        return {}
    kept, broken = sorted(required), {}
    for name in names:
        if name in required:
            continue
        error = error_of([*kept, name])
        if error:
            broken[name] = error
        else:
            kept.append(name)
    return broken


def _args(tests) -> dict:
    """The test module's test values, made anew."""
    return tests.make_args() if hasattr(tests, "make_args") else dict(tests.ARGS)


def _picked(tests, names: list[str]) -> dict:
    return {name: value for name, value in _args(tests).items() if name in names}


def _load(test_file: Path):
    """The rendered test module, run as a module of its own name, to read its data."""
    spec = importlib.util.spec_from_file_location(
        f"_values_{test_file.stem}", test_file
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _first_call(component, kind: str, tests):
    """What a model does first with the component, on the test module's data; what
    that gives."""
    x, y = tests.make_data()
    weights = np.ones((4, 4), "float32")
    if kind in ("layer", "activation"):
        outputs = component(x)
    elif kind == "loss":
        outputs = component(y, tests.Y_PRED)
    elif kind == "metric":
        component.update_state(y, tests.Y_PRED)
        outputs = component.result()
    elif kind == "initializer":
        outputs = component(shape=(4, 4))
    elif kind in ("regularizer", "constraint"):
        outputs = component(weights)
    else:
        return []
    return [np.asarray(each) for each in _flat(outputs)]


def _flat(outputs):
    if isinstance(outputs, list | tuple):
        return [item for each in outputs for item in _flat(each)]
    return [outputs]
