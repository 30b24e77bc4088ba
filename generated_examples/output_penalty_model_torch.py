"""OutputPenaltyModelTorch: a custom Keras model."""

import keras
import torch
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class OutputPenaltyModelTorch(keras.Model):
    """OutputPenaltyModel on PyTorch: its train_step adds a penalty on large outputs.

    Args:
        units: Integer, width of the hidden layer. Defaults to `8`.
        penalty: Float, weight of the mean squared output added to the training loss.
            Defaults to `0.01`.
        **kwargs: Base model arguments, such as `name` and `dtype`.

    Registered as `"Custom>OutputPenaltyModelTorch"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    model = OutputPenaltyModelTorch(units=8, penalty=0.01)
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
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(
            x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=True
        )
        # The custom part: discourage large outputs while training. In float32 even when
        # mixed precision computes y_pred in float16.
        loss = loss + self.penalty * ops.mean(ops.square(ops.cast(y_pred, loss.dtype)))
        self.optimizer.scale_loss(loss).backward()
        trainable_weights = list(self.trainable_weights)
        gradients = [weight.value.grad for weight in trainable_weights]
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
        config.update({"units": self.units, "penalty": self.penalty})
        return config
