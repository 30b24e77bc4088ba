"""The oracle's data file (tests/oracle/keras.toml), read without running it."""

import re
import tomllib
from pathlib import Path

ORACLE = Path(__file__).parents[1] / "oracle" / "keras.toml"


def test_every_known_bug_has_an_upstream_reference_or_a_reproduction():
    oracle = tomllib.loads(ORACLE.read_text())
    oracle.pop("libraries")
    bugs = {
        f"{module}:{name}": entry["known_bug"]
        for module, components in oracle.items()
        for name, entry in components.items()
        if "known_bug" in entry
    }
    assert bugs
    upstream = re.compile(r"[\w.-]+/[\w.-]+#\d+")
    unsupported = [
        name
        for name, bug in bugs.items()
        if not (upstream.search(bug["reference"]) or bug.get("reproduction"))
    ]
    assert not unsupported
    assert all(bug["contracts"] for bug in bugs.values())
