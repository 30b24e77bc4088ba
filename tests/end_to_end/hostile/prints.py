"""Hostile: prints what is not JSON on its stdout and stderr, a terminal's escape that
clears the screen, and into the stdout of the process that started it."""

import contextlib
import os
import sys

import keras
from keras import ops

print("{not json")
os.write(1, b"]]] not json either\n")
print(chr(27) + "[2J the screen cleared", file=sys.stderr)
with contextlib.suppress(OSError), open(f"/proc/{os.getppid()}/fd/1", "w") as parent:
    parent.write("{its parent's stdout, not json\n")


@keras.saving.register_keras_serializable(package="Course")
class NoisyPenalty(keras.regularizers.Regularizer):
    def __init__(self, factor=0.01):
        self.factor = factor

    def __call__(self, weights):
        print("printed at each call")
        return self.factor * ops.sum(ops.abs(weights))

    def get_config(self):
        return {"factor": self.factor}
