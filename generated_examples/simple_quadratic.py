"""SimpleQuadratic: a custom Keras layer."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class SimpleQuadratic(keras.layers.Layer):
    """A quadratic layer: `activation(x**2 @ a + x @ b + c)`.

    Args:
        units: Integer, dimensionality of the output space. Defaults to `32`.
        activation: Activation function, by name or as a callable. Defaults to `None`.
        **kwargs: Base layer arguments, such as `name` and `dtype`.

    Input shape:
        N-D tensor with shape: `(batch_size, ..., features)`.

    Output shape:
        N-D tensor with shape: `(batch_size, ..., units)`.

    Registered as `"Custom>SimpleQuadratic"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    layer = SimpleQuadratic(units=32, activation=None)
    outputs = layer(keras.ops.ones((2, 16)))
    ```
    """

    def __init__(
        self,
        units=32,
        activation=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        self.a = self.add_weight(
            shape=(input_shape[-1], self.units), initializer="random_normal", name="a"
        )
        self.b = self.add_weight(
            shape=(input_shape[-1], self.units), initializer="random_normal", name="b"
        )
        self.c = self.add_weight(shape=(self.units,), initializer="zeros", name="c")

    def call(self, inputs):
        return self.activation(
            ops.matmul(ops.square(inputs), self.a) + ops.matmul(inputs, self.b) + self.c
        )

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "activation": keras.activations.serialize(self.activation),
            }
        )
        return config
