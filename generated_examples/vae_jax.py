"""VAEJax: a custom Keras model."""

import copy

import jax
import keras
from keras import ops

from sampling import Sampling  # noqa: F401 (imported for what importing it does)


@keras.saving.register_keras_serializable(package="Custom")
class VAEJax(keras.Model):
    """The variational autoencoder of keras-io on JAX, with a stateless train_step.

    Args:
        encoder: A `keras.Model` instance, maps inputs to `[z_mean, z_log_var, z]`.
            Required.
        decoder: A `keras.Model` instance, maps `z` back to inputs. Required.
        **kwargs: Base model arguments, such as `name` and `dtype`.

    Registered as `"Custom>VAEJax"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    model = VAEJax(encoder=make_encoder(), decoder=make_decoder())
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
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)

        def compute_loss(trainable_variables, non_trainable_variables):
            variables = self.trainable_variables + self.non_trainable_variables
            losses, values = self._stateless(
                variables,
                trainable_variables + non_trainable_variables,
                self._compute_losses,
                x,
                training=True,
            )
            # The sampling's seed generator has moved on: a non-trainable variable.
            non_trainable_variables = values[len(trainable_variables) :]
            reconstruction_loss, kl_loss = losses
            scaled_loss, _ = self._stateless(
                self.optimizer.variables,
                optimizer_variables,
                self.optimizer.scale_loss,
                reconstruction_loss + kl_loss,
            )
            return scaled_loss, (losses, non_trainable_variables)

        grad_fn = jax.value_and_grad(compute_loss, has_aux=True)
        (_, (losses, non_trainable_variables)), gradients = grad_fn(
            trainable_variables, non_trainable_variables
        )
        trainable_variables, optimizer_variables = self.optimizer.stateless_apply(
            optimizer_variables, gradients, trainable_variables
        )
        logs, metrics_variables = self._stateless(
            self.metrics_variables, metrics_variables, self._report, *losses
        )
        state = (
            trainable_variables,
            non_trainable_variables,
            optimizer_variables,
            metrics_variables,
        )
        return logs, state

    def test_step(self, state, data):
        trainable_variables, non_trainable_variables, metrics_variables = state
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        losses, _ = self._stateless(
            self.trainable_variables + self.non_trainable_variables,
            trainable_variables + non_trainable_variables,
            self._compute_losses,
            x,
            training=False,
        )
        logs, metrics_variables = self._stateless(
            self.metrics_variables, metrics_variables, self._report, *losses
        )
        return logs, (trainable_variables, non_trainable_variables, metrics_variables)

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

    def _stateless(self, variables, values, function, *args, **kwargs):
        # function(*args, **kwargs) run on the given values of the variables, as jax.jit
        # needs: its result, and the variables' values it leaves.
        with keras.StatelessScope(state_mapping=list(zip(variables, values))) as scope:
            result = function(*args, **kwargs)
        return result, [scope.get_current_value(v) for v in variables]

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
