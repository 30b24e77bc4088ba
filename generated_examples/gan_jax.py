"""GANJax: a custom Keras model."""

import copy

import jax
import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class GANJax(keras.Model):
    """The generative adversarial network of keras-io on JAX.

    Args:
        discriminator: A `keras.Model` instance, scores images: a logit, high for
            generated ones. Required.
        generator: A `keras.Model` instance, maps latent vectors to images. Required.
        latent_dim: Integer, the size of the latent vectors. Required.
        **kwargs: Base model arguments, such as `name` and `dtype`.

    Registered as `"Custom>GANJax"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    model = GANJax(
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

    def compute_loss_and_updates(
        self,
        trainable_variables,
        non_trainable_variables,
        metrics_variables,
        x,
        y,
        sample_weight,
        training=False,
        optimizer_variables=None,
    ):
        y_pred, non_trainable_variables, losses = self.stateless_call(
            trainable_variables,
            non_trainable_variables,
            x,
            training=training,
            return_losses=True,
        )
        # The compiled loss and the regularizers' penalties, on these variables.
        loss, (_, non_trainable_variables, metrics_variables) = (
            self.stateless_compute_loss(
                trainable_variables,
                non_trainable_variables,
                metrics_variables,
                x=x,
                y=y,
                y_pred=y_pred,
                sample_weight=sample_weight,
                training=training,
            )
        )
        # The add_loss() terms of this forward pass.
        for call_loss in losses:
            loss = loss + ops.cast(call_loss, loss.dtype)
        scaled_loss = loss
        if training:
            # Scaled, so that a LossScaleOptimizer (mixed precision) works too.
            mapping = list(zip(self.optimizer.variables, optimizer_variables))
            with keras.StatelessScope(state_mapping=mapping):
                scaled_loss = self.optimizer.scale_loss(loss)
        return scaled_loss, (loss, y_pred, non_trainable_variables, metrics_variables)

    def train_step(self, state, data):
        (
            trainable_variables,
            non_trainable_variables,
            optimizer_variables,
            metrics_variables,
        ) = state
        real_images, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        # The values of the model's variables, by id: each network's step updates them.
        variables = self.trainable_variables + self.non_trainable_variables
        values = dict(
            zip(map(id, variables), trainable_variables + non_trainable_variables)
        )
        split = len(self.d_optimizer.variables)
        d_loss, values, d_optimizer_variables = self._step(
            self.discriminator,
            self.d_optimizer,
            optimizer_variables[:split],
            values,
            self._discriminator_loss,
            real_images,
        )
        g_loss, values, g_optimizer_variables = self._step(
            self.generator,
            self.g_optimizer,
            optimizer_variables[split:],
            values,
            self._generator_loss,
            real_images,
        )
        logs, metrics_variables = self._stateless(
            self.metrics_variables, metrics_variables, self._report, d_loss, g_loss
        )
        state = (
            [values[id(v)] for v in self.trainable_variables],
            [values[id(v)] for v in self.non_trainable_variables],
            d_optimizer_variables + g_optimizer_variables,
            metrics_variables,
        )
        return logs, state

    def test_step(self, state, data):
        trainable_variables, non_trainable_variables, metrics_variables = state
        real_images, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        losses, _ = self._stateless(
            self.trainable_variables + self.non_trainable_variables,
            trainable_variables + non_trainable_variables,
            self._test_losses,
            real_images,
        )
        logs, metrics_variables = self._stateless(
            self.metrics_variables, metrics_variables, self._report, *losses
        )
        return logs, (trainable_variables, non_trainable_variables, metrics_variables)

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def compile(self, d_optimizer, g_optimizer, loss_fn, **kwargs):
        # On JAX, fit carries only the compiled optimizer's variables from one train_step
        # to the next: the pair's are both optimizers' (an optimizer given is not used).
        kwargs["optimizer"] = _OptimizerPair(d_optimizer, g_optimizer)
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

    def _discriminator_loss(self, real_images):
        # The discriminator learns to tell generated images (1) from real ones (0).
        batch_size = ops.shape(real_images)[0]
        generated_images = self.generator(self._latent_vectors(batch_size))
        combined_images = ops.concatenate([generated_images, real_images], axis=0)
        labels = ops.concatenate(
            [ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))], axis=0
        )
        labels += 0.05 * keras.random.uniform(
            ops.shape(labels), seed=self.seed_generator
        )
        return self.loss_fn(labels, self.discriminator(combined_images))

    def _generator_loss(self, real_images):
        # The generator learns to make the discriminator say "real" (0).
        batch_size = ops.shape(real_images)[0]
        misleading_labels = ops.zeros((batch_size, 1))
        predictions = self.discriminator(
            self.generator(self._latent_vectors(batch_size))
        )
        return self.loss_fn(misleading_labels, predictions)

    def _test_losses(self, real_images):
        batch_size = ops.shape(real_images)[0]
        generated = self.discriminator(self.generator(self._latent_vectors(batch_size)))
        real = self.discriminator(real_images)
        d_loss = (
            self.loss_fn(ops.ones_like(generated), generated)
            + self.loss_fn(ops.zeros_like(real), real)
        ) / 2
        return d_loss, self.loss_fn(ops.zeros_like(generated), generated)

    def _step(
        self, network, optimizer, optimizer_variables, values, compute_loss, data
    ):
        # One step of `optimizer` on `network`'s weights, the model's variables at `values`
        # (by id): the loss, and the variables' and the optimizer's values after it.
        variables = self.trainable_variables + self.non_trainable_variables
        weights = network.trainable_variables

        def scaled_loss(weight_values):
            given = {**values, **dict(zip(map(id, weights), weight_values))}

            def losses():
                loss = compute_loss(data)
                return loss, optimizer.scale_loss(loss)

            (loss, scaled), new_values = self._stateless(
                variables + optimizer.variables,
                [given[id(v)] for v in variables] + optimizer_variables,
                losses,
            )
            # The seed generator has moved on: a non-trainable variable.
            return scaled, (loss, new_values[: len(variables)])

        weight_values = [values[id(w)] for w in weights]
        grad_fn = jax.value_and_grad(scaled_loss, has_aux=True)
        (_, (loss, new_values)), gradients = grad_fn(weight_values)
        weight_values, optimizer_variables = optimizer.stateless_apply(
            optimizer_variables, gradients, weight_values
        )
        values = dict(zip(map(id, variables), new_values))
        values.update(zip(map(id, weights), weight_values))
        return loss, values, optimizer_variables

    def _stateless(self, variables, values, function, *args):
        # function(*args) run on the given values of the variables, as jax.jit needs: its
        # result, and the variables' values it leaves.
        with keras.StatelessScope(state_mapping=list(zip(variables, values))) as scope:
            result = function(*args)
        return result, [scope.get_current_value(v) for v in variables]

    def _report(self, d_loss, g_loss):
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {
            "d_loss": self.d_loss_tracker.result(),
            "g_loss": self.g_loss_tracker.result(),
        }

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


class _OptimizerPair(keras.optimizers.Optimizer):
    """The discriminator's and the generator's optimizers as the one optimizer `fit`
    knows: its variables are theirs, the discriminator's first."""

    def __init__(self, d_optimizer, g_optimizer):
        super().__init__(learning_rate=0.0, name="optimizer_pair")
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer

    @property
    def variables(self):
        return self.d_optimizer.variables + self.g_optimizer.variables
