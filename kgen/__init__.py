"""kgen: generate custom Keras 3 components, and tests that prove they save, load and train."""

__version__ = "0.1.0"
