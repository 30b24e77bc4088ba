"""SimpleDense: a custom Keras layer."""

import keras
from keras import ops


# Registration files the class under its registered name; a saved model names it so, and
# load_model finds it once this module is imported, without custom_objects.
@keras.saving.register_keras_serializable(package="Explained")
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

    Registered as `"Explained>SimpleDense"`: importing this module is enough for
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

    # The constructor stores every hyperparameter on self, so that get_config can write
    # it back and from_config can rebuild the same object.
    def __init__(
        self,
        units=32,
        activation=None,
        kernel_initializer="glorot_uniform",
        kernel_regularizer=None,
        kernel_constraint=None,
        **kwargs,
    ):
        # **kwargs carries the base arguments (name, dtype, trainable...): from_config
        # calls cls(**config) with them, so a constructor without **kwargs cannot load.
        super().__init__(**kwargs)
        self.units = units
        # keras.<module>.get turns a name, a config or an object into the object itself,
        # so the constructor accepts all three, and from_config can pass a config back.
        self.activation = keras.activations.get(activation)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.kernel_constraint = keras.constraints.get(kernel_constraint)

    # build runs once, at the first call, when the input shape is known: weights whose
    # size depends on the input are created here, not in __init__.
    # add_weight makes a tracked variable: trained, regularized, constrained, saved and
    # loaded with the layer. Pass its arguments by keyword.
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

    # call is the forward computation. Written with keras.ops, it runs eagerly, traced
    # into a graph and under XLA; keep Python side effects out of it.
    def call(self, inputs):
        return self.activation(ops.matmul(inputs, self.kernel) + self.bias)

    # compute_output_shape gives the output's shape without computing it, for symbolic
    # inputs such as keras.Input; None stands for an unknown size.
    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    # get_config returns the constructor's arguments as plain (JSON) values: saving
    # writes them into the .keras file, and loading calls from_config(config).
    def get_config(self):
        config = super().get_config()
        # Keras objects go into the config serialized (keras.<module>.serialize, or
        # keras.saving.serialize_keras_object for a layer, model...), so that the config
        # stays JSON; get() in the constructor, or from_config, reads them back.
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
