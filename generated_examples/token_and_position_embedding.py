"""TokenAndPositionEmbedding: a custom Keras layer."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="Custom")
class TokenAndPositionEmbedding(keras.layers.Layer):
    """Token and position embeddings, summed (keras-io, "Text classification with Transformer").

    Args:
        maxlen: Integer, the length of the sequences. Required.
        vocab_size: Integer, the number of token ids. Required.
        embed_dim: Integer, the size of each embedding. Required.
        **kwargs: Base layer arguments, such as `name` and `dtype`.

    Input shape:
        2-D tensor of token ids with shape: `(batch_size, maxlen)`.

    Output shape:
        3-D tensor with shape: `(batch_size, maxlen, embed_dim)`.

    Registered as `"Custom>TokenAndPositionEmbedding"`: importing this module is enough for
    `keras.saving.load_model` to find it.

    Example:

    ```python
    layer = TokenAndPositionEmbedding(maxlen=6, vocab_size=50, embed_dim=8)
    outputs = layer(keras.ops.ones((2, 6), dtype="int32"))
    ```
    """

    def __init__(
        self,
        maxlen,
        vocab_size,
        embed_dim,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.maxlen = maxlen
        self.vocab_size = vocab_size
        self.embed_dim = embed_dim
        self.token_emb = keras.layers.Embedding(
            input_dim=vocab_size, output_dim=embed_dim
        )
        self.pos_emb = keras.layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def build(self, input_shape):
        self.token_emb.build(input_shape)
        self.pos_emb.build((self.maxlen,))

    def call(self, inputs):
        positions = ops.arange(start=0, stop=ops.shape(inputs)[-1], step=1)
        return self.token_emb(inputs) + self.pos_emb(positions)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.embed_dim)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "maxlen": self.maxlen,
                "vocab_size": self.vocab_size,
                "embed_dim": self.embed_dim,
            }
        )
        return config
