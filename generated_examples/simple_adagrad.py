"""SimpleAdagrad: a custom Keras optimizer."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class SimpleAdagrad(keras.optimizers.Optimizer):
    """Adagrad: each weight's step shrinks with the sum of its squared gradients so far.

    Args:
        learning_rate: A float, a `keras.optimizers.schedules.LearningRateSchedule`
            instance, or a callable that takes no arguments and returns the learning
            rate to use. Defaults to `0.01`.
        initial_accumulator_value: Float, the starting value of every accumulator, > 0.
            Defaults to `0.1`.
        epsilon: Float, a small constant for numerical stability. Defaults to `1e-07`.
        weight_decay: Float. If set, weight decay is applied.
        clipnorm: Float. If set, the gradient of each weight is clipped so that its norm
            is no higher than this value.
        clipvalue: Float. If set, the gradient of each weight is clipped to be no higher
            than this value.
        global_clipnorm: Float. If set, the gradient of all weights is clipped so that
            their global norm is no higher than this value.
        use_ema: Boolean. If `True`, an exponential moving average (EMA) of the weights
            is kept, and periodically written over them.
        ema_momentum: Float. The momentum of the EMA, only used if `use_ema=True`.
        ema_overwrite_frequency: Int or `None`. With `use_ema=True`, the weights are
            overwritten by their average every this many iterations (with `None`, at the
            end of `fit`).
        loss_scale_factor: Float or `None`. If a float, the loss is multiplied by it
            before the gradients are computed, and the gradients are divided by it.
        gradient_accumulation_steps: Int or `None`. If an int, the variables are updated
            every this many steps, with the average of the gradients since the last
            update.
        name: String. The name of the optimizer.

    Registered as `"Custom>SimpleAdagrad"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    optimizer = SimpleAdagrad(
        learning_rate=0.01, initial_accumulator_value=0.1, epsilon=1e-07
    )
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(x, y, epochs=5)
    ```
    """

    def __init__(
        self,
        learning_rate=0.01,
        initial_accumulator_value=0.1,
        epsilon=1e-07,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
    ):
        super().__init__(
            learning_rate=learning_rate,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            name=name,
        )
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        # One accumulator per variable, starting at initial_accumulator_value.
        self.accumulators = [
            self.add_variable_from_reference(
                variable,
                name="accumulator",
                initializer=keras.initializers.Constant(self.initial_accumulator_value),
            )
            for variable in variables
        ]

    def update_step(self, gradient, variable, learning_rate):
        learning_rate = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        accumulator = self.accumulators[self._get_variable_index(variable)]
        self.assign_add(accumulator, ops.square(gradient))
        self.assign_sub(
            variable, learning_rate * gradient / ops.sqrt(accumulator + self.epsilon)
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon,
            }
        )
        return config
