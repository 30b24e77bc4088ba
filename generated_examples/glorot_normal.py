"""GlorotNormal: a custom Keras initializer."""

import math
import random

import keras


@keras.saving.register_keras_serializable(package="Custom")
class GlorotNormal(keras.initializers.Initializer):
    """Normal values with standard deviation `sqrt(2 / (fan_in + fan_out))` (Glorot and Bengio, 2010).

    Args:
        seed: Integer seed, so that the values are reproducible. With `None`, a seed is
            drawn once, when the initializer is created.

    Registered as `"Custom>GlorotNormal"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    layer = keras.layers.Dense(8, kernel_initializer=GlorotNormal(seed=42))
    ```
    """

    def __init__(self, seed=None):
        self.seed = seed
        # Like Keras's own initializers: without a seed, draw one now, so that every call
        # returns the same values. `seed` itself stays as given, for the config.
        self._call_seed = seed if seed is not None else random.randint(1, 10**9)

    def __call__(self, shape, dtype=None):
        stddev = math.sqrt(2.0 / (shape[0] + shape[1]))
        return keras.random.normal(
            shape, stddev=stddev, dtype=dtype, seed=self._call_seed
        )

    def get_config(self):
        config = {}
        config.update({"seed": self.seed})
        return config
