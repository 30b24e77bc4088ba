"""my_softplus: a custom Keras activation function."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Custom", name="my_softplus")
def my_softplus(x):
    """The softplus of the course notes: `log(exp(x) + 1)`.

    Returns:
        A tensor of the shape of `x`. Registered as `"Custom>my_softplus"`: importing
        this module is enough for `keras.saving.load_model` to find it.

    Example:

    ```python
    layer = keras.layers.Dense(8, activation=my_softplus)
    ```
    """
    return ops.log(ops.exp(x) + 1.0)
