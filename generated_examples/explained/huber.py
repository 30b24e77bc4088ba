"""Huber: a custom Keras loss."""

import keras
from keras import ops


# Registration files the class under its registered name; a saved model names it so, and
# load_model finds it once this module is imported, without custom_objects.
@keras.saving.register_keras_serializable(package="Explained")
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

    Registered as `"Explained>Huber"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    model.compile(optimizer="adam", loss=Huber(threshold=1.0))
    ```
    """

    # The constructor stores every hyperparameter on self, so that get_config can write
    # it back and from_config can rebuild the same object.
    def __init__(
        self,
        threshold=1.0,
        reduction="sum_over_batch_size",
        name=None,
        dtype=None,
    ):
        # reduction, name and dtype go to the base class: its __call__ applies
        # sample_weight and then the reduction to what call returns.
        super().__init__(reduction=reduction, name=name, dtype=dtype)
        self.threshold = threshold

    # call returns one loss per sample. Do not average over the batch here: the base
    # class weights each sample by sample_weight, then applies the reduction.
    def call(self, y_true, y_pred):
        error = y_true - y_pred
        is_small_error = ops.abs(error) <= self.threshold
        small_error_loss = ops.square(error) / 2
        big_error_loss = self.threshold * (ops.abs(error) - 0.5 * self.threshold)
        return ops.mean(
            ops.where(is_small_error, small_error_loss, big_error_loss), axis=-1
        )

    # get_config returns the constructor's arguments as plain (JSON) values: saving
    # writes them into the .keras file, and loading calls from_config(config).
    def get_config(self):
        config = super().get_config()
        config.update({"threshold": self.threshold})
        return config
