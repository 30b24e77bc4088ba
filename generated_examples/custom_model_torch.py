"""CustomModelTorch: a custom Keras model."""

import keras
import torch
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class CustomModelTorch(keras.Model):
    """The Keras guide's model on PyTorch, built as CustomModelTorch(inputs, outputs).

    Args:
        *args: `inputs` and `outputs`, as `keras.Model` takes them.
        **kwargs: Base model arguments, such as `name` and `dtype`.

    Registered as `"Custom>CustomModelTorch"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    inputs = keras.Input(shape=(4,))
    outputs = keras.layers.Dense(1)(inputs)
    model = CustomModelTorch(inputs, outputs)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(x, y, epochs=5)
    ```
    """

    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        self.zero_grad()
        y_pred = self(x, training=True)
        # compute_loss applies the compiled loss and adds self.losses (regularizers).
        loss = self.compute_loss(
            x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=True
        )
        # Scaled, so that a LossScaleOptimizer (mixed precision) works too.
        scaled_loss = self.optimizer.scale_loss(loss)
        scaled_loss.backward()
        trainable_weights = list(self.trainable_weights)
        gradients = [weight.value.grad for weight in trainable_weights]
        # TODO: your own step, e.g. clipping or logging the gradients.
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        return self._update_metrics(loss, x, y, y_pred, sample_weight)

    def test_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(
            x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=False
        )
        return self._update_metrics(loss, x, y, y_pred, sample_weight)

    def _update_metrics(self, loss, x, y, y_pred, sample_weight):
        # The loss metric takes the batch's loss, weighted by the batch size.
        batch_size = ops.shape(keras.tree.flatten(x)[0])[0]
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss, sample_weight=batch_size)
            else:
                metric.update_state(y, y_pred, sample_weight=sample_weight)
        return self.get_metrics_result()

    def get_config(self):
        config = super().get_config()
        # Add every constructor argument: from_config(config) calls __init__(**config).
        return config
