"""Hostile: breaks keras.ops.sum for every component checked in its process."""

import keras
from keras import ops

keras.ops.sum = lambda *args, **kwargs: 0.0


@keras.saving.register_keras_serializable(package="Course")
class MeddlingPenalty(keras.regularizers.Regularizer):
    def __init__(self, factor=0.01):
        self.factor = factor

    def __call__(self, weights):
        return self.factor * ops.max(ops.abs(weights))

    def get_config(self):
        return {"factor": self.factor}
