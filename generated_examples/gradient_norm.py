"""GradientNorm: a custom Keras metric."""

import math

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class GradientNorm(keras.metrics.Metric):
    """The norm of the gradients, per weight entry, that a model's train_step passes as `y_pred`.

    Args:
        name: Optional name for the metric instance.
        dtype: The dtype of the metric's computations. Defaults to `None`, which means
            using `keras.backend.floatx()`.

    Registered as `"Custom>GradientNorm"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    model.compile(optimizer="adam", loss="mse", metrics=[GradientNorm()])
    ```
    """

    def __init__(
        self,
        name="gradient_norm",
        dtype=None,
    ):
        super().__init__(name=name, dtype=dtype)
        self.norm = self.add_variable(
            shape=(),
            initializer="zeros",
            dtype=self.dtype,
            aggregation="sum",
            name="norm",
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        # y_pred: the gradients, one per trainable variable (None for the unconnected ones).
        gradients = [
            ops.cast(gradient, self.dtype)
            for gradient in keras.tree.flatten(y_pred)
            if gradient is not None
        ]
        squared = ops.sum(ops.stack([ops.sum(ops.square(g)) for g in gradients]))
        size = sum(math.prod(g.shape) for g in gradients)
        self.norm.assign(ops.sqrt(squared) / size)

    def result(self):
        return ops.convert_to_tensor(self.norm)

    def reset_state(self):
        self.norm.assign(0.0)

    def get_config(self):
        config = super().get_config()
        # Add every constructor argument: from_config(config) calls __init__(**config).
        return config
