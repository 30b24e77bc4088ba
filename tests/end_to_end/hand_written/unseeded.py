"""Mistake: an initializer that draws new values at every call."""

import keras


@keras.saving.register_keras_serializable(package="Course")
class UnseededNormal(keras.initializers.Initializer):
    def __init__(self, stddev=0.05):
        self.stddev = stddev

    def __call__(self, shape, dtype=None):
        return keras.random.normal(shape, stddev=self.stddev, dtype=dtype)

    def get_config(self):
        return {"stddev": self.stddev}
