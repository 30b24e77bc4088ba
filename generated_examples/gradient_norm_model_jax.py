"""GradientNormModelJax: a custom Keras model."""

import jax
import keras
from keras import ops

from gradient_norm import GradientNorm


@keras.saving.register_keras_serializable(package="Custom")
class GradientNormModelJax(keras.Model):
    """GradientNormModel on JAX: it reports the norm of its gradients.

    Args:
        *args: `inputs` and `outputs`, as `keras.Model` takes them.
        **kwargs: Base model arguments, such as `name` and `dtype`.

    Registered as `"Custom>GradientNormModelJax"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    inputs = keras.Input(shape=(4,))
    outputs = keras.layers.Dense(1)(inputs)
    model = GradientNormModelJax(inputs, outputs)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(x, y, epochs=5)
    ```
    """

    def __init__(
        self,
        *args,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        # Tracked as an attribute: Keras resets it every epoch and reports it in the logs.
        self.gradient_norm = GradientNorm()

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
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
        (_, (loss, y_pred, non_trainable_variables, metrics_variables)), gradients = (
            grad_fn(
                trainable_variables,
                non_trainable_variables,
                metrics_variables,
                x,
                y,
                sample_weight,
                training=True,
                optimizer_variables=optimizer_variables,
            )
        )
        # The gradients of the loss itself: a loss scale (mixed precision) is undone.
        mapping = list(zip(self.optimizer.variables, optimizer_variables))
        with keras.StatelessScope(state_mapping=mapping):
            scale = self.optimizer.scale_loss(1.0)
        unscaled = [g / ops.cast(scale, g.dtype) for g in gradients]
        trainable_variables, optimizer_variables = self.optimizer.stateless_apply(
            optimizer_variables, gradients, trainable_variables
        )
        logs, metrics_variables = self._update_metrics(
            metrics_variables, loss, x, y, y_pred, sample_weight, unscaled
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
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        _, (loss, y_pred, non_trainable_variables, metrics_variables) = (
            self.compute_loss_and_updates(
                trainable_variables,
                non_trainable_variables,
                metrics_variables,
                x,
                y,
                sample_weight,
                training=False,
            )
        )
        logs, metrics_variables = self._update_metrics(
            metrics_variables, loss, x, y, y_pred, sample_weight
        )
        return logs, (trainable_variables, non_trainable_variables, metrics_variables)

    def _update_metrics(
        self, metrics_variables, loss, x, y, y_pred, sample_weight, gradients=None
    ):
        # Each metric updates its slice of the metrics variables.
        batch_size = ops.shape(keras.tree.flatten(x)[0])[0]
        logs = {}
        new_variables = []
        for metric in self.metrics:
            variables = metrics_variables[
                len(new_variables) : len(new_variables) + len(metric.variables)
            ]
            if metric is self.gradient_norm:
                if gradients is not None:  # training: evaluate has no gradients
                    variables = metric.stateless_update_state(variables, y, gradients)
            elif metric.name == "loss":
                variables = metric.stateless_update_state(
                    variables, loss, sample_weight=batch_size
                )
            else:
                variables = metric.stateless_update_state(
                    variables, y, y_pred, sample_weight=sample_weight
                )
            result = metric.stateless_result(variables)
            if isinstance(result, dict):
                logs.update(result)
            else:
                logs[metric.name] = result
            new_variables += variables
        return logs, new_variables

    def get_config(self):
        config = super().get_config()
        # Add every constructor argument: from_config(config) calls __init__(**config).
        return config
