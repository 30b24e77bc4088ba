"""Huber: a custom Keras loss."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class Huber(keras.losses.Loss):
    """Huber loss: quadratic for errors up to `threshold`, linear beyond it.

    Args:
        threshold: Float, the error size at which the loss turns from quadratic to
            linear. Defaults to `1.0`.
        reduction: Type of reduction to apply to the loss: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"`, `"none"` or `None`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations. Defaults to `None`, which means
            using `keras.backend.floatx()`.

    Registered as `"Custom>Huber"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    model.compile(optimizer="adam", loss=Huber(threshold=1.0))
    ```
    """

    def __init__(
        self,
        threshold=1.0,
        reduction="sum_over_batch_size",
        name=None,
        dtype=None,
    ):
        super().__init__(reduction=reduction, name=name, dtype=dtype)
        self.threshold = threshold

    def call(self, y_true, y_pred):
        error = y_true - y_pred
        is_small_error = ops.abs(error) <= self.threshold
        small_error_loss = ops.square(error) / 2
        big_error_loss = self.threshold * (ops.abs(error) - 0.5 * self.threshold)
        return ops.mean(
            ops.where(is_small_error, small_error_loss, big_error_loss), axis=-1
        )

    def get_config(self):
        config = super().get_config()
        config.update({"threshold": self.threshold})
        return config
