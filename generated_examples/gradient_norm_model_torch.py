"""GradientNormModelTorch: a custom Keras model."""

import keras
import torch
from keras import ops

from gradient_norm import GradientNorm


@keras.saving.register_keras_serializable(package="Custom")
class GradientNormModelTorch(keras.Model):
    """GradientNormModel on PyTorch: it reports the norm of its gradients.

    Args:
        *args: `inputs` and `outputs`, as `keras.Model` takes them.
        **kwargs: Base model arguments, such as `name` and `dtype`.

    Registered as `"Custom>GradientNormModelTorch"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    inputs = keras.Input(shape=(4,))
    outputs = keras.layers.Dense(1)(inputs)
    model = GradientNormModelTorch(inputs, outputs)
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
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(
            x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=True
        )
        self.optimizer.scale_loss(loss).backward()
        trainable_weights = list(self.trainable_weights)
        gradients = [weight.value.grad for weight in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
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
        # The loss metric takes the batch's loss, weighted by the batch size.
        batch_size = ops.shape(keras.tree.flatten(x)[0])[0]
        for metric in self.metrics:
            if metric is self.gradient_norm:
                if gradients is not None:  # training: evaluate has no gradients
                    metric.update_state(y, gradients)
            elif metric.name == "loss":
                metric.update_state(loss, sample_weight=batch_size)
            else:
                metric.update_state(y, y_pred, sample_weight=sample_weight)
        return self.get_metrics_result()

    def get_config(self):
        config = super().get_config()
        # Add every constructor argument: from_config(config) calls __init__(**config).
        return config
