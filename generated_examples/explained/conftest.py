"""pytest setup for the tests kgen generates: the `heavy` marker.

Heavy tests (a fresh process, XLA, two devices, mixed precision) take longer, so they are
skipped unless asked for: `KGEN_HEAVY=1 pytest` runs every test, `pytest -m heavy` runs
the heavy ones alone.
"""

import os

import pytest


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "heavy: slower checks of a generated component (see conftest.py)"
    )


def pytest_collection_modifyitems(config, items):
    if os.environ.get("KGEN_HEAVY") == "1" or "heavy" in config.option.markexpr:
        return
    skip = pytest.mark.skip(reason="heavy: run with KGEN_HEAVY=1 or pytest -m heavy")
    for item in items:
        if item.get_closest_marker("heavy"):
            item.add_marker(skip)
