"""How long kgen takes, next to cookiecutter doing the like.

- a component: `kgen loss Huber --param threshold` against cookiecutter rendering a plain
  one-file Huber module (kgen also writes the tests, formats with black and checks);
- a project: `kgen new demo` against cookiecutter rendering the same skeleton,
  templates/project (kgen also validates the answers and adds the tests' conftest.py);
- a build: `kgen build` of a spec of 100 components (every kind and style) against 100
  cookiecutter runs of the one-file Huber, then `kgen build --check` of what it wrote.

kgen runs with its cache of black's output (KGEN_CACHE_DIR) cold, a fresh empty folder for
each run, and warm, a folder the previous runs filled.

Every command runs as a user runs it: the installed command, in a fresh process, writing to
a fresh folder. Runs alternate, so that all see the same machine load; the report is the
median of each and their ratios, all from this one run. Targets: a component and a project
at most 1.0x cookiecutter, a build at most 0.15x, its check under 2 s.

    python benchmarks/bench_generate.py [--runs N] [--build-runs N]   (--runs 0: the build alone)
"""

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "benchmarks" / "cookiecutter_huber"
SKELETON = ROOT / "templates" / "project"
COMPONENTS = 100
# (kind, style) in turn, so that the build holds every template kgen has.
KINDS = [
    ("loss", "class"),
    ("loss", "function"),
    ("layer", "class"),
    ("metric", "class"),
    ("regularizer", "class"),
    ("regularizer", "function"),
    ("initializer", "class"),
    ("initializer", "function"),
    ("constraint", "class"),
    ("constraint", "function"),
    ("activation", "function"),
    ("activation", "class"),
    ("model", "class"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--build-runs", type=int, default=3)
    args = parser.parse_args()
    kgen, cookiecutter = shutil.which("kgen"), shutil.which("cookiecutter")
    if not kgen or not cookiecutter:
        raise SystemExit("install kgen first: pip install -e '.[test]'")
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        warm = {"KGEN_CACHE_DIR": str(scratch / "warm-cache")}
        if args.runs:  # 0: the build alone
            huber = [kgen, "loss", "Huber", "--param", "threshold"]
            compare(
                "component",
                {
                    "kgen cold": Run(huber, cold=True),
                    "kgen warm": Run(huber, env=warm),
                    "cookiecutter": Run([cookiecutter, "--no-input", str(TEMPLATE)]),
                },
                args.runs,
                targets={"kgen cold": 1.0, "kgen warm": 1.0},
            )
            compare(
                "project",
                {
                    "kgen": Run([kgen, "new", "demo"]),
                    "cookiecutter": Run([cookiecutter, "--no-input", str(SKELETON)]),
                },
                args.runs,
                targets={"kgen": 1.0},
            )
        spec = write_spec(scratch / "spec" / "spec.toml")
        build = [kgen, "build", str(spec), "--out", "."]
        checked = scratch / "checked"  # written once, then only checked
        subprocess.run(
            [kgen, "build", str(spec), "--out", str(checked)],
            check=True,
            capture_output=True,
            env=env(warm),
        )
        compare(
            f"build of {COMPONENTS} components",
            {
                "kgen cold": Run(build, cold=True),
                "cold, 1 process": Run(build, env={"KGEN_WORKERS": "1"}, cold=True),
                "kgen warm": Run(build, env=warm),
                "kgen --check": Run(
                    [kgen, "build", str(spec), "--out", str(checked), "--check"],
                    env=warm,
                ),
                "cookiecutter": Run(
                    [
                        [cookiecutter, "--no-input", str(TEMPLATE), f"module=m{i}"]
                        for i in range(COMPONENTS)
                    ]
                ),
            },
            args.build_runs,
            targets={"kgen cold": 0.15, "kgen warm": 0.15},
        )


class Run:
    """A command, or a list of commands run one after another, and its environment."""

    def __init__(self, command, env=None, cold=False):
        self.commands = command if isinstance(command[0], list) else [command]
        self.env, self.cold = env or {}, cold

    def seconds(self) -> float:
        with tempfile.TemporaryDirectory() as folder:
            extra = {"KGEN_CACHE_DIR": str(Path(folder) / "cache")} if self.cold else {}
            start = time.perf_counter()
            for command in self.commands:
                subprocess.run(
                    command,
                    cwd=folder,
                    check=True,
                    capture_output=True,
                    env=env({**self.env, **extra}),
                )
            return time.perf_counter() - start


def env(extra: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **extra}


def compare(what, runs_by_name, runs, targets):
    times = {name: [] for name in runs_by_name}
    for run in range(runs + 1):  # the first round warms the file cache and is dropped
        for name, command in runs_by_name.items():
            seconds = command.seconds()
            if run:
                times[name].append(seconds)
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"{what}:")
    for name, median in medians.items():
        print(f"{name:>16}: median {median * 1000:8.1f} ms over {runs} runs")
    for name, median in medians.items():
        if name != "cookiecutter":
            target = f" (target <= {targets[name]:.2f}x)" if name in targets else ""
            ratio = median / medians["cookiecutter"]
            print(f"{'ratio':>16}: {name} / cookiecutter = {ratio:.2f}x{target}")


def write_spec(path: Path) -> Path:
    """A spec of COMPONENTS components, each kind and style in turn, each with a param."""
    tables = []
    for index in range(COMPONENTS):
        kind, style = KINDS[index % len(KINDS)]
        tables.append(
            f'[[component]]\nkind = "{kind}"\nname = "Component{index:03d}"\n'
            f'style = "{style}"\nparams = ["scale{index}=0.5"]\n'
        )
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(tables), encoding="utf-8")
    return path


if __name__ == "__main__":
    main()
