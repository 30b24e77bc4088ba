"""WeightNormalization: a custom Keras layer."""

import copy

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class WeightNormalization(keras.layers.Layer):
    """Weight normalization of a Dense layer's kernel, `g * v / ||v||` (Salimans and Kingma, 2016; TensorFlow Addons).

    Args:
        layer: A `keras.layers.Layer` instance, the Dense layer whose kernel is
            normalized. Required.
        **kwargs: Base layer arguments, such as `name` and `dtype`.

    Input shape:
        N-D tensor with shape: `(batch_size, ..., features)`.

    Output shape:
        The output shape of `layer`.

    Registered as `"Custom>WeightNormalization"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    layer = WeightNormalization(layer=keras.layers.Dense(4, name="inner"))
    outputs = layer(keras.ops.ones((2, 4)))
    ```
    """

    def __init__(
        self,
        layer,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(input_shape)
        kernel = self.layer.kernel
        self.kernel_norm_axes = tuple(range(len(kernel.shape) - 1))
        # g starts as the norm of each output's weights: at first the layer computes as before.
        self.g = self.add_weight(
            name="g", shape=(kernel.shape[-1],), initializer="ones", dtype=kernel.dtype
        )
        self.g.assign(ops.sqrt(ops.sum(ops.square(kernel), axis=self.kernel_norm_axes)))

    def call(self, inputs):
        v = self.layer.kernel
        norm = ops.sqrt(
            ops.maximum(
                ops.sum(ops.square(v), axis=self.kernel_norm_axes, keepdims=True), 1e-12
            )
        )
        outputs = ops.matmul(inputs, v / norm * self.g)
        if self.layer.use_bias:
            outputs = outputs + self.layer.bias
        return self.layer.activation(outputs)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"layer": keras.saving.serialize_keras_object(self.layer)})
        return config

    @classmethod
    def from_config(cls, config):
        config = copy.deepcopy(config)
        config["layer"] = keras.saving.deserialize_keras_object(config["layer"])
        return cls(**config)
