"""Correct: a constraint that clips every weight into [-limit, limit]."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Course")
class ClipWeights(keras.constraints.Constraint):
    def __init__(self, limit=1.0):
        self.limit = limit

    def __call__(self, w):
        return ops.clip(w, -self.limit, self.limit)

    def get_config(self):
        return {"limit": self.limit}
