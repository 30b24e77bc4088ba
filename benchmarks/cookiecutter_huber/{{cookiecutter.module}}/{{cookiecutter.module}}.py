"""{{ cookiecutter.class_name }}: a custom Keras loss."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class {{ cookiecutter.class_name }}(keras.losses.Loss):
    def __init__(self, {{ cookiecutter.param }}={{ cookiecutter.default }}, reduction="sum_over_batch_size", name=None, dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)
        self.{{ cookiecutter.param }} = {{ cookiecutter.param }}

    def call(self, y_true, y_pred):
        return ops.mean(ops.square(y_pred - y_true), axis=-1)

    def get_config(self):
        config = super().get_config()
        config.update({"{{ cookiecutter.param }}": self.{{ cookiecutter.param }}})
        return config
