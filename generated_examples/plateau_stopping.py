"""PlateauStopping: a custom Keras callback."""

import keras


@keras.saving.register_keras_serializable(package="Custom")
class PlateauStopping(keras.callbacks.Callback):
    """Stops training once `monitor` has not improved by `min_delta` for `patience` epochs.

    Args:
        monitor: String, the name in the epoch's logs of the value to watch, lower being
            better. Defaults to `"val_loss"`.
        patience: Integer, how many epochs without improvement to allow. Defaults to
            `2`.
        min_delta: Float, the least decrease that counts as an improvement. Defaults to
            `0.0`.

    Registered as `"Custom>PlateauStopping"`: importing this module is enough for
    `keras.saving.deserialize_keras_object` to rebuild it from its config.

    Example:

    ```python
    model.compile(optimizer="adam", loss="mse")
    model.fit(
        x,
        y,
        epochs=10,
        callbacks=[PlateauStopping(monitor="val_loss", patience=2, min_delta=0.0)],
    )
    ```
    """

    def __init__(
        self,
        monitor="val_loss",
        patience=2,
        min_delta=0.0,
    ):
        super().__init__()
        self.monitor = monitor
        self.patience = patience
        self.min_delta = min_delta
        self.best = float("inf")
        self.wait = 0
        self.stopped_epoch = None

    def on_train_begin(self, logs=None):
        # A callback may serve several fit calls: each starts afresh.
        self.best = float("inf")
        self.wait = 0
        self.stopped_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        current = logs.get(self.monitor)
        if current is None:  # not in this run's logs (no validation data, say)
            return
        if current < self.best - self.min_delta:
            self.best = current
            self.wait = 0
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_config(self):
        config = {}
        config.update(
            {
                "monitor": self.monitor,
                "patience": self.patience,
                "min_delta": self.min_delta,
            }
        )
        return config
