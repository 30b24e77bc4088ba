"""GANTorch: a custom Keras model."""

import copy

import keras
import torch
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class GANTorch(keras.Model):
    """The generative adversarial network of keras-io on PyTorch.

    Args:
        discriminator: A `keras.Model` instance, scores images: a logit, high for
            generated ones. Required.
        generator: A `keras.Model` instance, maps latent vectors to images. Required.
        latent_dim: Integer, the size of the latent vectors. Required.
        **kwargs: Base model arguments, such as `name` and `dtype`.

    Registered as `"Custom>GANTorch"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    model = GANTorch(
        discriminator=keras.Sequential(
            [
                keras.Input(shape=(8,)),
                keras.layers.Dense(16),
                keras.layers.LeakyReLU(negative_slope=0.2),
                keras.layers.Dense(1),
            ],
            name="discriminator",
        ),
        generator=keras.Sequential(
            [
                keras.Input(shape=(4,)),
                keras.layers.Dense(16),
                keras.layers.LeakyReLU(negative_slope=0.2),
                keras.layers.Dense(8, activation="sigmoid"),
            ],
            name="generator",
        ),
        latent_dim=4,
    )
    model.compile(optimizer="adam")
    model.fit(x, epochs=5)
    ```
    """

    def __init__(
        self,
        discriminator,
        generator,
        latent_dim,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.seed_generator = keras.random.SeedGenerator(1337)

    def build(self, input_shape):
        pass  # the discriminator and generator come built, made from keras.Input

    def call(self, inputs, training=False):
        return self.discriminator(inputs, training=training)

    def train_step(self, real_images):
        real_images, _, _ = keras.utils.unpack_x_y_sample_weight(real_images)
        batch_size = ops.shape(real_images)[0]
        # The discriminator learns to tell generated images (1) from real ones (0).
        generated_images = self.generator(self._latent_vectors(batch_size))
        combined_images = ops.concatenate([generated_images, real_images], axis=0)
        labels = ops.concatenate(
            [ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))], axis=0
        )
        labels += 0.05 * keras.random.uniform(
            ops.shape(labels), seed=self.seed_generator
        )
        self.zero_grad()
        d_loss = self.loss_fn(labels, self.discriminator(combined_images))
        self.d_optimizer.scale_loss(d_loss).backward()
        weights = list(self.discriminator.trainable_weights)
        with torch.no_grad():
            self.d_optimizer.apply([weight.value.grad for weight in weights], weights)
        # The generator learns to make the discriminator say "real" (0). zero_grad clears
        # what the discriminator's step left on the generator's weights too.
        misleading_labels = ops.zeros((batch_size, 1))
        self.zero_grad()
        predictions = self.discriminator(
            self.generator(self._latent_vectors(batch_size))
        )
        g_loss = self.loss_fn(misleading_labels, predictions)
        self.g_optimizer.scale_loss(g_loss).backward()
        weights = list(self.generator.trainable_weights)
        with torch.no_grad():
            self.g_optimizer.apply([weight.value.grad for weight in weights], weights)
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {
            "d_loss": self.d_loss_tracker.result(),
            "g_loss": self.g_loss_tracker.result(),
        }

    def test_step(self, data):
        real_images, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        batch_size = ops.shape(real_images)[0]
        generated = self.discriminator(self.generator(self._latent_vectors(batch_size)))
        real = self.discriminator(real_images)
        d_loss = (
            self.loss_fn(ops.ones_like(generated), generated)
            + self.loss_fn(ops.zeros_like(real), real)
        ) / 2
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(
            self.loss_fn(ops.zeros_like(generated), generated)
        )
        return {
            "d_loss": self.d_loss_tracker.result(),
            "g_loss": self.g_loss_tracker.result(),
        }

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def compile(self, d_optimizer, g_optimizer, loss_fn, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn
        # Built now: fit builds only self.optimizer before training.
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    def get_compile_config(self):
        # Saved with the model, so that a loaded GAN trains on without compiling again.
        if not self.compiled:
            return {}
        return {
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            "loss_fn": keras.saving.serialize_keras_object(self.loss_fn),
        }

    def compile_from_config(self, config):
        self.compile(
            **{k: keras.saving.deserialize_keras_object(v) for k, v in config.items()}
        )

    def _latent_vectors(self, batch_size):
        return keras.random.normal(
            shape=(batch_size, self.latent_dim), seed=self.seed_generator
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "discriminator": keras.saving.serialize_keras_object(
                    self.discriminator
                ),
                "generator": keras.saving.serialize_keras_object(self.generator),
                "latent_dim": self.latent_dim,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = copy.deepcopy(config)
        config["discriminator"] = keras.saving.deserialize_keras_object(
            config["discriminator"]
        )
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        return cls(**config)
