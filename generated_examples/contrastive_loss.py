"""ContrastiveLoss: a custom Keras loss."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class ContrastiveLoss(keras.losses.Loss):
    """Contrastive loss (Hadsell et al., 2006) for pairs: `y_true` is 1 for a similar pair, 0 otherwise; `y_pred` is the pair's distance.

    Args:
        margin: Float, how far apart a dissimilar pair must be before it costs nothing.
            Defaults to `1.0`.
        reduction: Type of reduction to apply to the loss: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"`, `"none"` or `None`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations. Defaults to `None`, which means
            using `keras.backend.floatx()`.

    Registered as `"Custom>ContrastiveLoss"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    model.compile(optimizer="adam", loss=ContrastiveLoss(margin=1.0))
    ```
    """

    def __init__(
        self,
        margin=1.0,
        reduction="sum_over_batch_size",
        name=None,
        dtype=None,
    ):
        super().__init__(reduction=reduction, name=name, dtype=dtype)
        self.margin = margin

    def call(self, y_true, y_pred):
        similar = y_true * ops.square(y_pred)
        dissimilar = (1 - y_true) * ops.square(ops.maximum(self.margin - y_pred, 0.0))
        return ops.mean(similar + dissimilar, axis=-1)

    def get_config(self):
        config = super().get_config()
        config.update({"margin": self.margin})
        return config
