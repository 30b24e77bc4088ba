"""How long `kgen check` takes, next to importing TensorFlow, which it cannot avoid.

- one hand-written component (the course notes' SimpleDense), fast contracts: target at most
  the TensorFlow import plus 10 s;
- the correct files of tests/end_to_end/hand_written (its verdicts.toml) in one command,
  sharing processes: the time per component, against the one-component run's.

Every command runs as a user runs it: the installed command, in a fresh process. Runs
alternate, so that all see the same machine load; the report is the median of each, and
their differences and ratios, all from this one run.

    python benchmarks/bench_check.py [--runs N]
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "end_to_end" / "hand_written"
CORRECT = tomllib.loads((CORPUS / "verdicts.toml").read_text())["correct"]


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=CORPUS, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):  # 1: a contract failed, which is still a run
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    kgen = shutil.which("kgen") or "kgen"
    commands = {
        "import tensorflow": [sys.executable, "-c", "import tensorflow"],
        "one component": [kgen, "check", "simple_dense.py"],
        "all of them": [kgen, "check", *CORRECT],
    }
    times = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(timed(command))
    median = {name: statistics.median(values) for name, values in times.items()}
    for name, value in median.items():
        print(f"{name:<18} {value:6.1f} s (median of {runs})")
    over = median["one component"] - median["import tensorflow"]
    verdict = "within" if over <= 10 else "OVER"
    print(
        f"one component: TensorFlow's import + {over:.1f} s ({verdict} the 10 s target)"
    )
    per = median["all of them"] / len(CORRECT)
    print(
        f"{len(CORRECT)} files in one command: {per:.1f} s a file, "
        f"{per / median['one component']:.2f}x one checked alone"
    )


if __name__ == "__main__":
    main()
