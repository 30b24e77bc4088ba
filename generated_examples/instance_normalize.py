"""InstanceNormalize: a custom Keras layer."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class InstanceNormalize(keras.layers.Layer):
    """Normalizes each sample's every channel over its spatial axes (Ulyanov et al., 2016).

    Args:
        **kwargs: Base layer arguments, such as `name` and `dtype`.

    Input shape:
        4-D tensor with shape: `(batch_size, height, width, channels)`.

    Output shape:
        The same as the input shape.

    Registered as `"Custom>InstanceNormalize"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    layer = InstanceNormalize()
    outputs = layer(keras.ops.ones((2, 8, 8, 3)))
    ```
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = 1e-3

    def build(self, input_shape):
        pass  # no weights: the statistics come from each input

    def call(self, inputs):
        mean, variance = ops.moments(inputs, axes=[1, 2], keepdims=True)
        return (inputs - mean) / ops.sqrt(variance + self.epsilon)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        # Add every constructor argument: from_config(config) calls __init__(**config).
        return config
