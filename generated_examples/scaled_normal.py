"""ScaledNormal: a custom Keras initializer."""

import random

import keras


@keras.saving.register_keras_serializable(package="Custom")
class ScaledNormal(keras.initializers.Initializer):
    """Normal values with standard deviation `scale / sqrt(fan_in)`.

    Args:
        scale: Float, multiplies the standard deviation. Defaults to `1.0`.
        seed: Integer seed, so that the values are reproducible. With `None`, a seed is
            drawn once, when the initializer is created.

    Registered as `"Custom>ScaledNormal"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    layer = keras.layers.Dense(
        8, kernel_initializer=ScaledNormal(scale=1.0, seed=42)
    )
    ```
    """

    def __init__(
        self,
        scale=1.0,
        seed=None,
    ):
        self.seed = seed
        self.scale = scale
        # Like Keras's own initializers: without a seed, draw one now, so that every call
        # returns the same values. `seed` itself stays as given, for the config.
        self._call_seed = seed if seed is not None else random.randint(1, 10**9)

    def __call__(self, shape, dtype=None):
        fan_in = shape[0] if len(shape) > 1 else 1
        stddev = self.scale / fan_in**0.5
        return keras.random.normal(
            shape, stddev=stddev, dtype=dtype, seed=self._call_seed
        )

    def get_config(self):
        config = {}
        config.update({"scale": self.scale, "seed": self.seed})
        return config
