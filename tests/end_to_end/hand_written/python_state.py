"""Mistake: the metric's state kept in Python attributes."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Course")
class PythonStateMean(keras.metrics.Metric):
    def __init__(self, name="python_state_mean", **kwargs):
        super().__init__(name=name, **kwargs)
        self.total = 0.0
        self.count = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None):
        errors = ops.abs(ops.cast(y_true, "float32") - y_pred)
        self.total = self.total + ops.sum(errors)
        self.count = self.count + ops.cast(ops.size(errors), "float32")

    def result(self):
        return self.total / self.count

    def reset_state(self):
        self.total = 0.0
        self.count = 0.0
