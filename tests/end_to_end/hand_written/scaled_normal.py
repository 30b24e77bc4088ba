"""Correct: a normal initializer that draws its seed once, as Keras's own do."""

import random

import keras


@keras.saving.register_keras_serializable(package="Course")
class ScaledNormal(keras.initializers.Initializer):
    def __init__(self, stddev=0.05, seed=None):
        self.stddev = stddev
        self.seed = seed if seed is not None else random.randint(0, 2**31 - 1)

    def __call__(self, shape, dtype=None):
        return keras.random.normal(
            shape, stddev=self.stddev, dtype=dtype, seed=self.seed
        )

    def get_config(self):
        return {"stddev": self.stddev, "seed": self.seed}
