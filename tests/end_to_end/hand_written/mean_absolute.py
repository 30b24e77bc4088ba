"""Correct: a mean absolute error kept in two variables, weighted by sample."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Course")
class MeanAbsolute(keras.metrics.Metric):
    def __init__(self, name="mean_absolute", **kwargs):
        super().__init__(name=name, **kwargs)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, y_true, y_pred, sample_weight=None):
        errors = ops.mean(ops.abs(ops.cast(y_true, "float32") - y_pred), axis=-1)
        if sample_weight is None:
            sample_weight = ops.ones_like(errors)
        sample_weight = ops.cast(
            ops.reshape(sample_weight, ops.shape(errors)), "float32"
        )
        self.total.assign_add(ops.sum(errors * sample_weight))
        self.count.assign_add(ops.sum(sample_weight))

    def result(self):
        return ops.divide_no_nan(self.total, self.count)
