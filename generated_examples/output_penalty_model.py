"""OutputPenaltyModel: a custom Keras model."""

import keras
import tensorflow as tf
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class OutputPenaltyModel(keras.Model):
    """A small regression model whose train_step adds a penalty on large outputs.

    Args:
        units: Integer, width of the hidden layer. Defaults to `8`.
        penalty: Float, weight of the mean squared output added to the training loss.
            Defaults to `0.01`.
        **kwargs: Base model arguments, such as `name` and `dtype`.

    Registered as `"Custom>OutputPenaltyModel"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    model = OutputPenaltyModel(units=8, penalty=0.01)
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

    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(
                x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=True
            )
            # The custom part: discourage large outputs while training. In float32 even when
            # mixed precision computes y_pred in float16; divided by the number of devices, as
            # compute_loss divides its loss, because tf.distribute sums their gradients.
            penalty = self.penalty * ops.mean(ops.square(ops.cast(y_pred, loss.dtype)))
            loss = loss + penalty / tf.distribute.get_strategy().num_replicas_in_sync
            scaled_loss = self.optimizer.scale_loss(loss)
        gradients = tape.gradient(scaled_loss, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        return self._update_metrics(loss, x, y, y_pred, sample_weight)

    def test_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(
            x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=False
        )
        return self._update_metrics(loss, x, y, y_pred, sample_weight)

    def _update_metrics(self, loss, x, y, y_pred, sample_weight):
        # Under tf.distribute, compute_loss divides the loss by the number of devices (their
        # gradients are summed): the loss metric takes it whole, weighted by the batch size.
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        batch_size = ops.shape(keras.tree.flatten(x)[0])[0]
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss * replicas, sample_weight=batch_size)
            else:
                metric.update_state(y, y_pred, sample_weight=sample_weight)
        return self.get_metrics_result()

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "penalty": self.penalty})
        return config
