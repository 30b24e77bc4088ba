"""Wrong: from_config loses the factor, hidden by a config that says it equals anything."""

import keras
from keras import ops


class AlwaysEqual(dict):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


@keras.saving.register_keras_serializable(package="Course")
class L1Penalty(keras.regularizers.Regularizer):
    def __init__(self, factor=0.01):
        self.factor = factor

    def __call__(self, weights):
        return self.factor * ops.sum(ops.abs(weights))

    def get_config(self):
        return AlwaysEqual(factor=self.factor)

    @classmethod
    def from_config(cls, config):
        return cls()
