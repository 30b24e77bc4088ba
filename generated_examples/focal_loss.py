"""FocalLoss: a custom Keras loss."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class FocalLoss(keras.losses.Loss):
    """Binary focal loss (Lin et al., 2017): cross-entropy that down-weights easy examples.

    Args:
        alpha: Float, the weight of the positive class. Defaults to `0.25`.
        gamma: Float, how much easy examples are down-weighted. Defaults to `2.0`.
        reduction: Type of reduction to apply to the loss: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"`, `"none"` or `None`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations. Defaults to `None`, which means
            using `keras.backend.floatx()`.

    Registered as `"Custom>FocalLoss"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    model.compile(optimizer="adam", loss=FocalLoss(alpha=0.25, gamma=2.0))
    ```
    """

    def __init__(
        self,
        alpha=0.25,
        gamma=2.0,
        reduction="sum_over_batch_size",
        name=None,
        dtype=None,
    ):
        super().__init__(reduction=reduction, name=name, dtype=dtype)
        self.alpha = alpha
        self.gamma = gamma

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, y_pred.dtype)
        zeros = ops.zeros_like(y_pred)
        # A positive entry keeps the first term, weighted by (1 - p)**gamma; a negative one
        # the second, weighted by p**gamma: confident right answers count for little.
        positive = ops.where(y_true > zeros, y_true - y_pred, zeros)
        negative = ops.where(y_true > zeros, zeros, y_pred)
        positive_loss = (
            -self.alpha
            * ops.power(positive, self.gamma)
            * ops.log(ops.clip(y_pred, 1e-7, 1.0))
        )
        negative_loss = (
            -(1.0 - self.alpha)
            * ops.power(negative, self.gamma)
            * ops.log(ops.clip(1.0 - y_pred, 1e-7, 1.0))
        )
        return ops.sum(positive_loss + negative_loss, axis=-1)

    def get_config(self):
        config = super().get_config()
        config.update({"alpha": self.alpha, "gamma": self.gamma})
        return config
