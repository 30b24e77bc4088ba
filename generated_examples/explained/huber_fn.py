"""huber_fn: a custom Keras loss function."""

import keras
from keras import ops


# The outer function takes the hyperparameters and returns the inner one, which closes
# over them: Keras calls the inner function with its usual arguments only.
def make_huber_fn(threshold=1.0):
    """Returns the Huber loss function: quadratic for errors up to `threshold`, linear
    beyond it.

    Args:
        threshold: Float, the error size at which the loss turns from quadratic to
            linear. Defaults to `1.0`.

    Returns:
        `huber_fn(y_true, y_pred)`: One loss value per sample. Registered as
        `"Explained>huber_fn"`.

    A saved model keeps only that name, not these values. Loading gives it the function
    registered last under the name: in a new process, the `huber_fn` that importing this
    module registers, with the defaults. To save other values with the model, generate
    the class style instead.

    Example:

    ```python
    model.compile(optimizer="adam", loss=make_huber_fn(threshold=1.0))
    ```
    """

    # Registered by name, so that a model using the function can be saved and loaded. A
    # saved model keeps only that name: the hyperparameters closed over are not saved.
    @keras.saving.register_keras_serializable(package="Explained", name="huber_fn")
    def huber_fn(y_true, y_pred):
        error = y_true - y_pred
        is_small_error = ops.abs(error) <= threshold
        small_error_loss = ops.square(error) / 2
        big_error_loss = threshold * (ops.abs(error) - 0.5 * threshold)
        return ops.mean(
            ops.where(is_small_error, small_error_loss, big_error_loss), axis=-1
        )

    return huber_fn


# Importing this module registers the function with the default hyperparameters: that is
# the one a loaded model gets. To save other values, use the class style.
huber_fn = make_huber_fn()
