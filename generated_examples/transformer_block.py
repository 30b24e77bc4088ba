"""TransformerBlock: a custom Keras layer."""

import keras


@keras.saving.register_keras_serializable(package="Custom")
class TransformerBlock(keras.layers.Layer):
    """A transformer block: self-attention and a feed-forward network, each with dropout, a residual and layer normalization (keras-io).

    Args:
        embed_dim: Integer, the size of each token's vector. Required.
        num_heads: Integer, the number of attention heads. Required.
        ff_dim: Integer, the hidden size of the feed-forward network. Required.
        rate: Float, the dropout rate. Defaults to `0.1`.
        **kwargs: Base layer arguments, such as `name` and `dtype`.

    Input shape:
        3-D tensor with shape: `(batch_size, sequence_length, embed_dim)`.

    Output shape:
        The same as the input shape.

    Registered as `"Custom>TransformerBlock"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    layer = TransformerBlock(embed_dim=8, num_heads=2, ff_dim=16, rate=0.1)
    outputs = layer(keras.ops.ones((2, 6, 8)))
    ```
    """

    def __init__(
        self,
        embed_dim,
        num_heads,
        ff_dim,
        rate=0.1,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.ff_dim = ff_dim
        self.rate = rate
        self.att = keras.layers.MultiHeadAttention(
            num_heads=num_heads, key_dim=embed_dim
        )
        self.ffn = keras.Sequential(
            [
                keras.layers.Dense(ff_dim, activation="relu"),
                keras.layers.Dense(embed_dim),
            ]
        )
        self.layernorm1 = keras.layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = keras.layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = keras.layers.Dropout(rate)
        self.dropout2 = keras.layers.Dropout(rate)

    def build(self, input_shape):
        self.att.build(input_shape, input_shape)
        self.ffn.build(input_shape)
        self.layernorm1.build(input_shape)
        self.layernorm2.build(input_shape)

    # Keras passes training=True in fit, False in predict and evaluate.
    def call(self, inputs, training=None):
        attn_output = self.att(inputs, inputs, training=training)
        attn_output = self.dropout1(attn_output, training=training)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1, training=training)
        ffn_output = self.dropout2(ffn_output, training=training)
        return self.layernorm2(out1 + ffn_output)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "embed_dim": self.embed_dim,
                "num_heads": self.num_heads,
                "ff_dim": self.ff_dim,
                "rate": self.rate,
            }
        )
        return config
