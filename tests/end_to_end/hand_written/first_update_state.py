"""Correct: a mean absolute error per feature, its state made at the first update, when the
number of features is known (as Keras's R2Score and F1Score make theirs)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Course")
class FeatureMeanError(keras.metrics.Metric):
    def __init__(self, name="feature_mean_error", **kwargs):
        super().__init__(name=name, **kwargs)
        self.built_state = False

    def _build_state(self, features):
        self.total = self.add_variable(
            shape=(features,), initializer="zeros", name="total"
        )
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")
        self.built_state = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        errors = ops.abs(ops.cast(y_true, "float32") - y_pred)
        if not self.built_state:
            self._build_state(errors.shape[-1])
        if sample_weight is None:
            sample_weight = ops.ones_like(errors[:, 0])
        sample_weight = ops.cast(ops.reshape(sample_weight, (-1, 1)), "float32")
        self.total.assign_add(ops.sum(errors * sample_weight, axis=0))
        self.count.assign_add(ops.sum(sample_weight))

    def result(self):
        if not self.built_state:
            return ops.zeros(())
        return ops.mean(ops.divide_no_nan(self.total, self.count))

    def reset_state(self):
        for variable in self.variables:
            variable.assign(ops.zeros(variable.shape))
