"""scaled_tanh: a custom Keras activation function."""

import keras
from keras import ops


def make_scaled_tanh(scale=1.7159):
    """Returns the scaled tanh of LeCun et al. (1998): `scale * tanh(2x / 3)`.

    Args:
        scale: Float, the output's bound: values stay within (-scale, scale). Defaults
            to `1.7159`.

    Returns:
        `scaled_tanh(x)`: A tensor of the shape of `x`. Registered as
        `"Custom>scaled_tanh"`.

    A saved model keeps only that name, not these values. Loading gives it the function
    registered last under the name: in a new process, the `scaled_tanh` that importing this
    module registers, with the defaults. To save other values with the model, generate
    the class style instead.

    Example:

    ```python
    layer = keras.layers.Dense(8, activation=make_scaled_tanh(scale=1.7159))
    ```
    """

    @keras.saving.register_keras_serializable(package="Custom", name="scaled_tanh")
    def scaled_tanh(x):
        return scale * ops.tanh(2.0 * x / 3.0)

    return scaled_tanh


scaled_tanh = make_scaled_tanh()
