"""Training speed of the generated Huber and SimpleDense next to Keras's own Huber and Dense.

One process, the same data and the same model around each, runs alternating so that both
see the same machine load. Reported: the median time of one `fit` step, with and without
`jit_compile` (XLA), and the ratio generated / built-in, all from this one run. Target:
ratio <= 1.05. It reports; it is not a timed test.

    python benchmarks/bench_fit.py [--rounds N]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "generated_examples"))
from huber import Huber
from simple_dense import SimpleDense

FEATURES, UNITS, BATCH, STEPS = 128, 512, 1024, 20
TARGET = 1.05


class StepTimer(keras.callbacks.Callback):
    """The wall time of every training step."""

    def __init__(self):
        super().__init__()
        self.times = []

    def on_train_batch_begin(self, batch, logs=None):
        self.start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.times.append(time.perf_counter() - self.start)


def make_model(hidden, loss, jit_compile):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input(shape=(FEATURES,)), hidden, keras.layers.Dense(1)]
    )
    model.compile(optimizer="adam", loss=loss, jit_compile=jit_compile)
    return model


CASES = {
    "Huber loss": (
        lambda: keras.losses.Huber(delta=1.0),
        lambda: Huber(threshold=1.0),
        lambda: keras.layers.Dense(UNITS, activation="relu"),
    ),
    "SimpleDense layer": (
        lambda: keras.layers.Dense(UNITS, activation="relu"),
        lambda: SimpleDense(UNITS, activation="relu"),
        None,
    ),
}


def models(case, jit_compile):
    """(built-in model, generated model) for one case."""
    builtin, generated, hidden = CASES[case]
    if hidden is None:  # the layer is what differs; the loss is the same
        return (
            make_model(builtin(), "mse", jit_compile),
            make_model(generated(), "mse", jit_compile),
        )
    return (
        make_model(hidden(), builtin(), jit_compile),
        make_model(hidden(), generated(), jit_compile),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    rng = np.random.default_rng(0)
    x = rng.normal(size=(BATCH * STEPS, FEATURES)).astype("float32")
    y = rng.normal(size=(BATCH * STEPS, 1)).astype("float32")
    print(f"{'case':<18} {'jit':<5} {'built-in':>10} {'generated':>10} {'ratio':>7}")
    worst = 0.0
    for case in CASES:
        for jit_compile in (False, True):
            pair = models(case, jit_compile)
            timers = (StepTimer(), StepTimer())
            for model in pair:  # warm-up: tracing and compiling are not step time
                model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
            for _ in range(rounds):
                for model, timer in zip(pair, timers, strict=True):
                    model.fit(
                        x, y, batch_size=BATCH, epochs=1, verbose=0, callbacks=[timer]
                    )
            builtin, generated = (statistics.median(t.times) for t in timers)
            ratio = generated / builtin
            worst = max(worst, ratio)
            print(
                f"{case:<18} {jit_compile!s:<5} {builtin * 1e3:>8.2f}ms"
                f" {generated * 1e3:>8.2f}ms {ratio:>6.3f}x"
            )
    verdict = "met" if worst <= TARGET else "NOT met"
    print(f"worst ratio {worst:.3f}x; target <= {TARGET}x: {verdict}")


if __name__ == "__main__":
    main()
