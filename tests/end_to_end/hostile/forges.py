"""Hostile: a penalty that is not a scalar (a failed contract), which forges its passing
record: into every file descriptor it holds, at import and at exit, into any results file of another
check's, and from a process of its own that keeps at it after the check."""

import atexit
import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import keras
from keras import ops

ROW = {"contract": "test_returns_a_finite_scalar", "outcome": "passed", "passed": True}
FORGED = [
    {
        "target": os.path.relpath(__file__, os.environ.get("PWD", ".")),
        "file": str(Path(__file__).resolve()),
        "module": __name__,
        "error": "",
        "limit": "",
        "components": [
            {
                "component": "ForgedPenalty",
                "passed": True,
                "problem": "",
                "contracts": [{**ROW, "proves": "", "message": "", "note": ""}],
            }
        ],
    }
]
# Its command line names it, for the test to find it if it outlived the check.
SLEEPER = f"""
import glob, time  # kgen-hostile-sleeper
for _ in range(600):
    for path in glob.glob("/tmp/kgen-check-*/results.json"):
        open(path, "w").write({json.dumps(json.dumps(FORGED))})
    time.sleep(0.2)
"""
subprocess.Popen(
    [sys.executable, "-c", SLEEPER],
    start_new_session=True,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)


def forge():
    for name in os.listdir("/proc/self/fd"):
        if int(name) > 2:
            with contextlib.suppress(OSError):
                os.write(int(name), json.dumps(FORGED).encode())


forge()  # as it is imported
atexit.register(forge)  # and once the check is done


@keras.saving.register_keras_serializable(package="Course")
class ForgedPenalty(keras.regularizers.Regularizer):
    def __init__(self, factor=0.01):
        self.factor = factor

    def __call__(self, weights):
        return self.factor * ops.abs(weights)  # no sum: not a scalar

    def get_config(self):
        return {"factor": self.factor}
