"""huber_fn: a custom Keras loss function."""

import keras
from keras import ops


def make_huber_fn(threshold=1.0):
    """Returns the Huber loss function, as the course notes first write it: a closure over
    `threshold`.

    Args:
        threshold: Float, the error size at which the loss turns from quadratic to
            linear. Defaults to `1.0`.

    Returns:
        `huber_fn(y_true, y_pred)`: One loss value per sample. Registered as
        `"Custom>huber_fn"`.

    A saved model keeps only that name, not these values. Loading gives it the function
    registered last under the name: in a new process, the `huber_fn` that importing this
    module registers, with the defaults. To save other values with the model, generate
    the class style instead.

    Example:

    ```python
    model.compile(optimizer="adam", loss=make_huber_fn(threshold=1.0))
    ```
    """

    @keras.saving.register_keras_serializable(package="Custom", name="huber_fn")
    def huber_fn(y_true, y_pred):
        error = y_true - y_pred
        is_small_error = ops.abs(error) <= threshold
        small_error_loss = ops.square(error) / 2
        big_error_loss = threshold * (ops.abs(error) - 0.5 * threshold)
        return ops.mean(
            ops.where(is_small_error, small_error_loss, big_error_loss), axis=-1
        )

    return huber_fn


huber_fn = make_huber_fn()
