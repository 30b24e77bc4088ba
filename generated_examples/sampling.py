"""Sampling: a custom Keras layer."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class Sampling(keras.layers.Layer):
    """Draws z from (z_mean, z_log_var) in training, the VAE's reparameterization (keras-io); z_mean at inference.

    Args:
        **kwargs: Base layer arguments, such as `name` and `dtype`.

    Input shape:
        A list of two 2-D tensors, `z_mean` and `z_log_var`, of shape `(batch_size,
            latent_dim)`.

    Output shape:
        2-D tensor with shape: `(batch_size, latent_dim)`.

    Registered as `"Custom>Sampling"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    layer = Sampling()
    outputs = layer([keras.ops.ones((2, 2)), keras.ops.ones((2, 2))])
    ```
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def build(self, input_shape):
        pass  # no weights

    # Keras passes training=True in fit, False in predict and evaluate.
    def call(self, inputs, training=None):
        z_mean, z_log_var = inputs
        if not training:
            return z_mean
        epsilon = keras.random.normal(
            ops.shape(z_mean), dtype=z_mean.dtype, seed=self.seed_generator
        )
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        config = super().get_config()
        # Add every constructor argument: from_config(config) calls __init__(**config).
        return config
