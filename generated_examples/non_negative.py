"""NonNegative: a custom Keras constraint."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class NonNegative(keras.constraints.Constraint):
    """Keeps weights non-negative: negative entries become zero.

    Registered as `"Custom>NonNegative"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    layer = keras.layers.Dense(8, kernel_constraint=NonNegative())
    ```
    """

    def __call__(self, w):
        return ops.relu(w)

    def get_config(self):
        config = super().get_config()
        # Add every constructor argument: from_config(config) calls __init__(**config).
        return config
