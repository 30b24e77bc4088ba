"""L1Regularizer: a custom Keras regularizer."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class L1Regularizer(keras.regularizers.Regularizer):
    """L1 penalty: `factor * sum(abs(x))`.

    Args:
        factor: Float, the weight of the penalty. Defaults to `0.01`.

    Registered as `"Custom>L1Regularizer"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    layer = keras.layers.Dense(8, kernel_regularizer=L1Regularizer(factor=0.01))
    ```
    """

    def __init__(self, factor=0.01):
        self.factor = factor

    def __call__(self, x):
        return self.factor * ops.sum(ops.abs(x))

    def get_config(self):
        # The base class's get_config raises NotImplementedError: write every parameter here.
        config = {}
        config.update({"factor": self.factor})
        return config
