"""VAETorch: a custom Keras model."""

import copy

import keras
import torch
from keras import ops

from sampling import Sampling  # noqa: F401 (imported for what importing it does)


@keras.saving.register_keras_serializable(package="Custom")
class VAETorch(keras.Model):
    """The variational autoencoder of keras-io on PyTorch.

    Args:
        encoder: A `keras.Model` instance, maps inputs to `[z_mean, z_log_var, z]`.
            Required.
        decoder: A `keras.Model` instance, maps `z` back to inputs. Required.
        **kwargs: Base model arguments, such as `name` and `dtype`.

    Registered as `"Custom>VAETorch"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    model = VAETorch(encoder=make_encoder(), decoder=make_decoder())
    model.compile(optimizer="adam")
    model.fit(x, epochs=5)
    ```
    """

    def __init__(
        self,
        encoder,
        decoder,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.total_loss_tracker = keras.metrics.Mean(name="total_loss")
        self.reconstruction_loss_tracker = keras.metrics.Mean(
            name="reconstruction_loss"
        )
        self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

    def build(self, input_shape):
        pass  # the encoder and decoder come built, made from keras.Input

    def call(self, inputs, training=False):
        _, _, z = self.encoder(inputs, training=training)
        return self.decoder(z, training=training)

    def train_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        self.zero_grad()
        reconstruction_loss, kl_loss = self._compute_losses(x, training=True)
        self.optimizer.scale_loss(reconstruction_loss + kl_loss).backward()
        trainable_weights = list(self.trainable_weights)
        gradients = [weight.value.grad for weight in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        return self._report(reconstruction_loss, kl_loss)

    def test_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        return self._report(*self._compute_losses(x, training=False))

    @property
    def metrics(self):
        # Listed here, Keras resets them at the start of every epoch and of evaluate.
        return [
            self.total_loss_tracker,
            self.reconstruction_loss_tracker,
            self.kl_loss_tracker,
        ]

    def _compute_losses(self, x, training):
        z_mean, z_log_var, z = self.encoder(x, training=training)
        reconstruction = self.decoder(z, training=training)
        cross_entropy = keras.losses.binary_crossentropy(
            ops.expand_dims(x, -1), ops.expand_dims(reconstruction, -1)
        )
        axes = tuple(range(1, len(cross_entropy.shape)))
        reconstruction_loss = ops.mean(ops.sum(cross_entropy, axis=axes))
        kl_loss = -0.5 * (1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
        kl_loss = ops.mean(ops.sum(kl_loss, axis=1))
        return reconstruction_loss, kl_loss

    def _report(self, reconstruction_loss, kl_loss):
        self.total_loss_tracker.update_state(reconstruction_loss + kl_loss)
        self.reconstruction_loss_tracker.update_state(reconstruction_loss)
        self.kl_loss_tracker.update_state(kl_loss)
        return {
            "loss": self.total_loss_tracker.result(),
            "reconstruction_loss": self.reconstruction_loss_tracker.result(),
            "kl_loss": self.kl_loss_tracker.result(),
        }

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "encoder": keras.saving.serialize_keras_object(self.encoder),
                "decoder": keras.saving.serialize_keras_object(self.decoder),
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = copy.deepcopy(config)
        config["encoder"] = keras.saving.deserialize_keras_object(config["encoder"])
        config["decoder"] = keras.saving.deserialize_keras_object(config["decoder"])
        return cls(**config)
