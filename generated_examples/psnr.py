"""PSNR: a custom Keras metric."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class PSNR(keras.metrics.Metric):
    """Peak signal-to-noise ratio in decibels, averaged over samples.

    Args:
        max_value: Float, the largest value a signal can take (1.0 for images scaled to
            [0, 1]). Defaults to `1.0`.
        name: Optional name for the metric instance.
        dtype: The dtype of the metric's computations. Defaults to `None`, which means
            using `keras.backend.floatx()`.

    Registered as `"Custom>PSNR"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    model.compile(optimizer="adam", loss="mse", metrics=[PSNR(max_value=1.0)])
    ```
    """

    def __init__(
        self,
        max_value=1.0,
        name=None,
        dtype=None,
    ):
        super().__init__(name=name, dtype=dtype)
        self.max_value = max_value
        # State lives in variables, so that it is saved, reset and summed across devices.
        self.total = self.add_variable(
            shape=(),
            initializer="zeros",
            dtype=self.dtype,
            aggregation="sum",
            name="total",
        )
        self.count = self.add_variable(
            shape=(),
            initializer="zeros",
            dtype=self.dtype,
            aggregation="sum",
            name="count",
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.cast(y_true, self.dtype)
        y_pred = ops.cast(y_pred, self.dtype)
        mse = ops.mean(ops.square(y_pred - y_true), axis=-1)
        values = 10.0 * ops.log10(self.max_value**2 / ops.maximum(mse, 1e-10))
        if sample_weight is None:
            sample_weight = ops.ones_like(values)
        else:
            sample_weight = ops.cast(ops.reshape(sample_weight, (-1,)), self.dtype)
            sample_weight = ops.broadcast_to(sample_weight, ops.shape(values))
        self.total.assign_add(ops.sum(values * sample_weight))
        self.count.assign_add(ops.sum(sample_weight))

    def result(self):
        return ops.divide_no_nan(self.total, self.count)

    def reset_state(self):
        # Called by Keras at the start of every epoch and of evaluate().
        for variable in self.variables:
            variable.assign(ops.zeros(variable.shape, dtype=variable.dtype))

    def get_config(self):
        config = super().get_config()
        config.update({"max_value": self.max_value})
        return config
