"""Put first on the path of the JAX and torch runs of generated tests (conftest.run_pytest):
they run as on a machine without TensorFlow, where `pip install "kgen[jax]"` leaves them.
Keras imports TensorFlow whenever it can (its serialization checks for tf.TensorShape),
which costs each process of those runs seconds."""

raise ImportError("TensorFlow is not installed for this run (tests/no_tensorflow)")
