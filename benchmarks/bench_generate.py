"""How long kgen takes, next to cookiecutter doing the like.

- a component: `kgen loss Huber --param threshold` against cookiecutter rendering a plain
  one-file Huber module (kgen also writes the tests, formats with black and checks);
- a project: `kgen new demo` against cookiecutter rendering the same skeleton,
  templates/project (kgen also validates the answers and adds the tests' conftest.py).

Both run as a user runs them: the installed command, in a fresh process, writing to a fresh
folder. Runs alternate, so that both see the same machine load; the report is the median of
each and their ratio, all from this one run. Target: ratio <= 1.0.

    python benchmarks/bench_generate.py [--runs N]
"""

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "benchmarks" / "cookiecutter_huber"
SKELETON = ROOT / "templates" / "project"


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    kgen, cookiecutter = shutil.which("kgen"), shutil.which("cookiecutter")
    if not kgen or not cookiecutter:
        raise SystemExit("install kgen first: pip install -e '.[test]'")
    pairs = {
        "component": {
            "kgen": [kgen, "loss", "Huber", "--param", "threshold"],
            "cookiecutter": [cookiecutter, "--no-input", str(TEMPLATE)],
        },
        "project": {
            "kgen": [kgen, "new", "demo"],
            "cookiecutter": [cookiecutter, "--no-input", str(SKELETON)],
        },
    }
    for what, commands in pairs.items():
        compare(what, commands, runs)


def compare(what: str, commands: dict[str, list[str]], runs: int) -> None:
    times: dict[str, list[float]] = {name: [] for name in commands}
    for run in range(runs + 1):  # the first round warms the file cache and is dropped
        for name, command in commands.items():
            with tempfile.TemporaryDirectory() as folder:
                seconds = timed(command, Path(folder))
            if run:
                times[name].append(seconds)
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"{what}:")
    for name, median in medians.items():
        print(f"{name:>14}: median {median * 1000:7.1f} ms over {runs} runs")
    ratio = medians["kgen"] / medians["cookiecutter"]
    print(f"{'ratio':>14}: kgen / cookiecutter = {ratio:.2f}x (target <= 1.00x)")


if __name__ == "__main__":
    main()
