"""OutputPenaltyModelJax: a custom Keras model."""

import jax
import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class OutputPenaltyModelJax(keras.Model):
    """OutputPenaltyModel on JAX: its train_step adds a penalty on large outputs.

    Args:
        units: Integer, width of the hidden layer. Defaults to `8`.
        penalty: Float, weight of the mean squared output added to the training loss.
            Defaults to `0.01`.
        **kwargs: Base model arguments, such as `name` and `dtype`.

    Registered as `"Custom>OutputPenaltyModelJax"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    model = OutputPenaltyModelJax(units=8, penalty=0.01)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(x, y, epochs=5)
    ```
    """

    def __init__(
        self,
        units=8,
        penalty=0.01,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = units
        self.penalty = penalty
        self.hidden = keras.layers.Dense(units, activation="relu")
        self.out = keras.layers.Dense(1)

    def build(self, input_shape):
        self.hidden.build(input_shape)
        self.out.build((*input_shape[:-1], self.units))

    def call(self, inputs, training=False):
        return self.out(self.hidden(inputs))

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

        def penalized_loss(
            trainable_variables, non_trainable_variables, metrics_variables
        ):
            _, (loss, y_pred, non_trainable_variables, metrics_variables) = (
                self.compute_loss_and_updates(
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
            # The custom part: discourage large outputs while training. In float32 even when
            # mixed precision computes y_pred in float16.
            loss = loss + self.penalty * ops.mean(
                ops.square(ops.cast(y_pred, loss.dtype))
            )
            mapping = list(zip(self.optimizer.variables, optimizer_variables))
            with keras.StatelessScope(state_mapping=mapping):
                scaled_loss = self.optimizer.scale_loss(loss)
            return scaled_loss, (
                loss,
                y_pred,
                non_trainable_variables,
                metrics_variables,
            )

        grad_fn = jax.value_and_grad(penalized_loss, has_aux=True)
        (_, (loss, y_pred, non_trainable_variables, metrics_variables)), gradients = (
            grad_fn(trainable_variables, non_trainable_variables, metrics_variables)
        )
        trainable_variables, optimizer_variables = self.optimizer.stateless_apply(
            optimizer_variables, gradients, trainable_variables
        )
        logs, metrics_variables = self._update_metrics(
            metrics_variables, loss, x, y, y_pred, sample_weight
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

    def _update_metrics(self, metrics_variables, loss, x, y, y_pred, sample_weight):
        # The loss metric takes the batch's loss, weighted by the batch size.
        batch_size = ops.shape(keras.tree.flatten(x)[0])[0]
        logs = {}
        new_variables = []
        for metric in self.metrics:
            variables = metrics_variables[
                len(new_variables) : len(new_variables) + len(metric.variables)
            ]
            if metric.name == "loss":
                variables = metric.stateless_update_state(
                    variables, loss, sample_weight=batch_size
                )
            else:
                variables = metric.stateless_update_state(
                    variables, y, y_pred, sample_weight=sample_weight
                )
            result = metric.stateless_result(variables)
            # The compiled metrics come as one metric whose result is a dict.
            if isinstance(result, dict):
                logs.update(result)
            else:
                logs[metric.name] = result
            new_variables += variables
        return logs, new_variables

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "penalty": self.penalty})
        return config
