"""Correct: a layer whose params keep a rule between them, as Keras's Conv2D refuses
strides and a dilation rate both above 1."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Course")
class SteppedDense(keras.layers.Layer):
    def __init__(self, step=1, dilation=1, **kwargs):
        super().__init__(**kwargs)
        if step > 1 and dilation > 1:
            raise ValueError("step and dilation cannot both be above 1")
        self.step = step
        self.dilation = dilation

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], input_shape[-1]),
            initializer="glorot_uniform",
            name="kernel",
        )

    def call(self, inputs):
        return ops.matmul(inputs, self.kernel) * float(self.step * self.dilation)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "step": self.step, "dilation": self.dilation}
