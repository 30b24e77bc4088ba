"""Correct: the course notes' custom functions, registered so that a saved model finds them."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Course")
def my_softplus(z):
    return ops.log(ops.exp(z) + 1.0)


@keras.saving.register_keras_serializable(package="Course")
def my_l1_regularizer(weights):
    return ops.sum(ops.abs(0.01 * weights))


@keras.saving.register_keras_serializable(package="Course")
def my_positive_weights(weights):
    return ops.where(weights < 0.0, ops.zeros_like(weights), weights)


@keras.saving.register_keras_serializable(package="Course")
def my_glorot_initializer(shape, dtype=None):
    stddev = (2.0 / (shape[0] + shape[1])) ** 0.5
    return keras.random.normal(shape, stddev=stddev, dtype=dtype, seed=1337)


@keras.saving.register_keras_serializable(package="Course")
def my_huber_loss(y_true, y_pred):
    error = y_true - y_pred
    small = ops.abs(error) <= 1.0
    return ops.mean(
        ops.where(small, ops.square(error) / 2, ops.abs(error) - 0.5), axis=-1
    )
