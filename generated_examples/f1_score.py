"""F1Score: a custom Keras metric."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class F1Score(keras.metrics.Metric):
    """F1 score per class, or averaged (TensorFlow Addons' `tfa.metrics.F1Score`).

    Args:
        num_classes: Integer, the number of classes. Required.
        average: String, None for one score per class, or "micro", "macro" or
            "weighted". Defaults to `None`.
        threshold: Float, predictions above it count as positive; None: the largest of
            each row. Defaults to `None`.
        name: Optional name for the metric instance.
        dtype: The dtype of the metric's computations. Defaults to `None`, which means
            using `keras.backend.floatx()`.

    Registered as `"Custom>F1Score"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    model.compile(
        optimizer="adam",
        loss="mse",
        metrics=[F1Score(num_classes=3, average=None, threshold=None)],
    )
    ```
    """

    def __init__(
        self,
        num_classes,
        average=None,
        threshold=None,
        name="f1_score",
        dtype=None,
    ):
        super().__init__(name=name, dtype=dtype)
        self.num_classes = num_classes
        self.average = average
        self.threshold = threshold
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(
                'average must be None, "micro", "macro" or "weighted"; received: '
                f"{average!r}"
            )
        self.true_positives = self.add_variable(
            shape=(num_classes,), initializer="zeros", name="true_positives"
        )
        self.false_positives = self.add_variable(
            shape=(num_classes,), initializer="zeros", name="false_positives"
        )
        self.false_negatives = self.add_variable(
            shape=(num_classes,), initializer="zeros", name="false_negatives"
        )
        self.support = self.add_variable(
            shape=(num_classes,), initializer="zeros", name="support"
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.cast(y_true, self.dtype)
        y_pred = ops.cast(y_pred, self.dtype)
        if self.threshold is None:
            # The largest prediction of each row is the positive one.
            highest = ops.max(y_pred, axis=-1, keepdims=True)
            y_pred = ops.logical_and(y_pred >= highest, ops.abs(y_pred) > 1e-12)
        else:
            y_pred = y_pred > self.threshold
        y_pred = ops.cast(y_pred, self.dtype)
        if sample_weight is None:
            weights = ops.ones_like(y_true[:, :1])
        else:
            weights = ops.expand_dims(ops.cast(sample_weight, self.dtype), 1)
        self.true_positives.assign_add(ops.sum(y_pred * y_true * weights, axis=0))
        self.false_positives.assign_add(
            ops.sum(y_pred * (1 - y_true) * weights, axis=0)
        )
        self.false_negatives.assign_add(
            ops.sum((1 - y_pred) * y_true * weights, axis=0)
        )
        self.support.assign_add(ops.sum(y_true * weights, axis=0))

    def result(self):
        true_positives = self.true_positives
        false_positives = self.false_positives
        false_negatives = self.false_negatives
        if self.average == "micro":
            true_positives = ops.sum(true_positives)
            false_positives = ops.sum(false_positives)
            false_negatives = ops.sum(false_negatives)
        precision = ops.divide_no_nan(true_positives, true_positives + false_positives)
        recall = ops.divide_no_nan(true_positives, true_positives + false_negatives)
        f1 = 2.0 * ops.divide_no_nan(precision * recall, precision + recall)
        if self.average == "weighted":
            return ops.sum(f1 * ops.divide_no_nan(self.support, ops.sum(self.support)))
        if self.average == "macro":
            return ops.mean(f1)
        return f1

    def reset_state(self):
        for variable in self.variables:
            variable.assign(ops.zeros(variable.shape, dtype=variable.dtype))

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_classes": self.num_classes,
                "average": self.average,
                "threshold": self.threshold,
            }
        )
        return config
