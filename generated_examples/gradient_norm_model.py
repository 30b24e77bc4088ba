"""GradientNormModel: a custom Keras model."""

import keras
import tensorflow as tf
from keras import ops

from gradient_norm import GradientNorm


@keras.saving.register_keras_serializable(package="Custom")
class GradientNormModel(keras.Model):
    """A model built as GradientNormModel(inputs, outputs) that reports the norm of its gradients.

    Args:
        *args: `inputs` and `outputs`, as `keras.Model` takes them.
        **kwargs: Base model arguments, such as `name` and `dtype`.

    Registered as `"Custom>GradientNormModel"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    inputs = keras.Input(shape=(4,))
    outputs = keras.layers.Dense(1)(inputs)
    model = GradientNormModel(inputs, outputs)
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

    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(
                x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=True
            )
            scaled_loss = self.optimizer.scale_loss(loss)
        gradients = tape.gradient(scaled_loss, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        # The gradients of the loss itself: a loss scale (mixed precision) is undone.
        scale = self.optimizer.scale_loss(1.0)
        unscaled = [
            None if g is None else g / ops.cast(scale, g.dtype) for g in gradients
        ]
        return self._update_metrics(loss, x, y, y_pred, sample_weight, unscaled)

    def test_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(
            x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=False
        )
        return self._update_metrics(loss, x, y, y_pred, sample_weight)

    def _update_metrics(self, loss, x, y, y_pred, sample_weight, gradients=None):
        # Under tf.distribute, compute_loss divides the loss by the number of devices (their
        # gradients are summed): the loss metric takes it whole, weighted by the batch size.
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        batch_size = ops.shape(keras.tree.flatten(x)[0])[0]
        for metric in self.metrics:
            if metric is self.gradient_norm:
                if gradients is not None:  # training: evaluate has no gradients
                    metric.update_state(y, gradients)
            elif metric.name == "loss":
                metric.update_state(loss * replicas, sample_weight=batch_size)
            else:
                metric.update_state(y, y_pred, sample_weight=sample_weight)
        return self.get_metrics_result()

    def get_config(self):
        config = super().get_config()
        # Add every constructor argument: from_config(config) calls __init__(**config).
        return config
