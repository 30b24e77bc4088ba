"""Mistake: weights made in __init__, from a guessed input size."""

import keras


@keras.saving.register_keras_serializable(package="Course")
class GuessedDense(keras.layers.Layer):
    def __init__(self, units=32, input_dim=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.input_dim = input_dim
        self.w = self.add_weight(shape=(input_dim, units), initializer="random_normal")
        self.b = self.add_weight(shape=(units,), initializer="zeros")

    def call(self, inputs):
        return keras.ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        config = super().get_config()
        return {**config, "units": self.units, "input_dim": self.input_dim}
