"""Every request kgen accepts gives tests that pass, the default bodies included: integer ids
get a lookup table, sequences and several inputs are flattened and joined, a wrapping
optimizer takes the wrapped one's step, and a model compiled with its own optimizer trains
with it."""

import re

import pytest
from conftest import run_pytest

from kgen.build import plan_build

# Command lines a user types, with no body of their own.
REQUESTS = [
    ["layer", "IdLayer", "--input", "6:int32:50", "--target", "labels:3"],
    ["layer", "SeqLayer", "-p", "act:activation=relu", "--input", "6,8"],
    ["layer", "PairLayer", "-p", "table_init:initializer=glorot_uniform",
     "--input", "6:int32:50", "--input", "4", "--target", "onehot:3"],
    ["metric", "SeqMetric", "-p", "scale=2.0", "--input", "6,8", "--target", "labels:3"],
    ["loss", "SeqLoss", "--input", "6,8", "--target", "onehot:4"],
    ["model", "IdModel", "--input", "6:int32:50", "--target", "labels:3"],
    ["model", "SeqModel", "-p", "rate=0.5", "--input", "6,8"],
    ["model", "PairModel", "--input", "6:int32:50", "--input", "4",
     "--input", "3:bool", "--target", "binary"],
    ["model", "GraphPair", "--style", "functional", "--input", "6:uint8:7",
     "--input", "2,3"],
    ["optimizer", "Lookahead", "-p", "optimizer:optimizer=...",
     "-p", "sync_period:int=6"],
]  # fmt: skip

# A model compiled with an optimizer alone: a compile form only a build spec has.
OWN_OPTIMIZER = """
[[component]]
kind = "model"
name = "OwnOptimizer"
[component.test]
compile = 'optimizer=keras.optimizers.Adam(0.01), loss="mse"'
"""


@pytest.fixture(scope="module")
def requested(tmp_path_factory):
    """A folder with each request generated, as the command line and a build spec do."""
    folder = tmp_path_factory.mktemp("requests")
    (folder / "spec.toml").write_text(OWN_OPTIMIZER, encoding="utf-8")
    plan_build(folder / "spec.toml").apply()
    return folder


def test_every_accepted_request_gives_passing_tests(requested, kgen):
    for request in REQUESTS:
        result = kgen(*request, cwd=requested)
        assert result.returncode == 0, (request, result.stderr)
    result = run_pytest(requested, "-rA")
    assert result.returncode == 0, result.stdout[-3000:]
    modules = set(re.findall(r"^PASSED (test_\w+)\.py", result.stdout, re.MULTILINE))
    assert len(modules) == len(REQUESTS) + 1, result.stdout[-3000:]


@pytest.mark.heavy
def test_every_accepted_request_passes_its_heavy_tests(requested, kgen):
    for request in REQUESTS:
        assert kgen(*request, cwd=requested).returncode == 0
    result = run_pytest(requested, "-rfs", "-m", "heavy", heavy=True)
    assert result.returncode == 0, result.stdout[-3000:]
    # A bool input is the one reason to skip: MirroredStrategy cannot train on it.
    skipped = re.findall(
        r"^SKIPPED \[\d+\] (\S+?):\d+: (.*)$", result.stdout, re.MULTILINE
    )
    assert skipped == [
        ("test_pair_model.py", "MirroredStrategy cannot train on a bool input")
    ], result.stdout[-3000:]
