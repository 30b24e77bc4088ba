"""SimpleDense: a custom Keras layer."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class SimpleDense(keras.layers.Layer):
    """A densely connected layer: `activation(inputs @ kernel + bias)`.

    Args:
        units: Integer, dimensionality of the output space. Defaults to `32`.
        activation: Activation function, by name or as a callable. Defaults to `None`.
        kernel_initializer: Initializer, by name, config or instance. Defaults to
            `"glorot_uniform"`.
        kernel_regularizer: Regularizer, by name, config or instance. Defaults to
            `None`.
        kernel_constraint: Constraint, by name, config or instance. Defaults to `None`.
        **kwargs: Base layer arguments, such as `name` and `dtype`.

    Input shape:
        N-D tensor with shape: `(batch_size, ..., input_dim)`.

    Output shape:
        N-D tensor with shape: `(batch_size, ..., units)`.

    Registered as `"Custom>SimpleDense"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    layer = SimpleDense(
        units=32,
        activation=None,
        kernel_initializer="glorot_uniform",
        kernel_regularizer=None,
        kernel_constraint=None,
    )
    outputs = layer(keras.ops.ones((2, 4)))
    ```
    """

    def __init__(
        self,
        units=32,
        activation=None,
        kernel_initializer="glorot_uniform",
        kernel_regularizer=None,
        kernel_constraint=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.kernel_constraint = keras.constraints.get(kernel_constraint)

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            name="kernel",
        )
        self.bias = self.add_weight(
            shape=(self.units,), initializer="zeros", name="bias"
        )

    def call(self, inputs):
        return self.activation(ops.matmul(inputs, self.kernel) + self.bias)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "activation": keras.activations.serialize(self.activation),
                "kernel_initializer": keras.initializers.serialize(
                    self.kernel_initializer
                ),
                "kernel_regularizer": keras.regularizers.serialize(
                    self.kernel_regularizer
                ),
                "kernel_constraint": keras.constraints.serialize(
                    self.kernel_constraint
                ),
            }
        )
        return config
