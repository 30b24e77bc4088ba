"""The project's state stays safe: confinement, the lock, transactions, idempotence,
collisions, and I/O errors, all through real processes of the installed `kgen`.

The kill tests aim at the write window with the transaction's test hook
(KGEN_FAULT=kill:N kills the process at the N-th step of a transaction, nospace:N fails
that step as a full disk would), and also with SIGKILL after a random delay.
"""

import json
import os
import random
import re
import shutil
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import fill
from test_project import files_under, run_error, run_ok

KGEN = shutil.which("kgen")
EXPORT = re.compile(r"^from \.(\w+) import (\w+) as \2$", re.MULTILINE)


@pytest.fixture
def demo(kgen, tmp_path):
    run_ok(kgen, "new", "demo", cwd=tmp_path)
    return tmp_path / "demo"


def start(root, *args, fault=None):
    env = {**os.environ, "KGEN_FAULT": fault} if fault else None
    return subprocess.Popen(
        [KGEN, *args],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def assert_consistent(root):
    """Every recorded component is present and exported; every export and every module
    has its record; kgen's private folder holds its lock and nothing else; no temporary
    file anywhere."""
    manifest = root / "kgen-manifest.json"
    records = (
        json.loads(manifest.read_text())["components"] if manifest.exists() else {}
    )
    statements = set()
    for key, record in records.items():
        for path in record["files"]:
            assert (root / path).is_file(), f"{key}: {path} is missing"
        export = record["export"]
        assert export["statement"] in (root / export["file"]).read_text(), key
        statements.add((export["file"], export["statement"]))
    recorded = {path for record in records.values() for path in record["files"]}
    for init in (root / "src" / "demo").glob("*/__init__.py"):
        where = init.relative_to(root).as_posix()
        for match in EXPORT.finditer(init.read_text()):
            assert (init.parent / f"{match[1]}.py").is_file(), match[0]
            assert (where, match[0] + "\n") in statements, f"{match[0]}: no record"
        for module in init.parent.glob("*.py"):
            if module.name != "__init__.py":
                assert module.relative_to(root).as_posix() in recorded, module
    assert sorted(p.name for p in (root / ".kgen").iterdir()) == ["lock"]
    strays = [p for p in root.rglob(".*") if p.is_file() and p.name != ".gitignore"]
    assert strays == [p for p in strays if p.parent.name == ".kgen"] and all(
        p.name == "lock" for p in strays
    ), strays
    return records


@pytest.mark.heavy
def test_parallel_generates_and_destroys_all_land(demo):
    names = [f"Par{n}" for n in range(20)]
    runs = [start(demo, "loss", name) for name in names]
    assert [run.wait(timeout=300) for run in runs] == [0] * 20, [
        run.stderr.read() for run in runs
    ]
    records = assert_consistent(demo)
    assert sorted(records) == sorted(f"loss/par{n}" for n in range(20))
    runs = [start(demo, "destroy", "loss", name) for name in names]
    assert [run.wait(timeout=300) for run in runs] == [0] * 20
    assert assert_consistent(demo) == {}
    assert not list((demo / "src" / "demo" / "losses").glob("par*"))


def _killed_runs(root: Path, seed: int, kills: int) -> tuple[int, int]:
    """Generate and destroy in `root`, killing runs in the write window until `kills`
    runs died; after each clean run the project must be consistent. Returns (kills by
    the hook, kills by a timer)."""
    rng = random.Random(seed)
    present: set[str] = set()
    hooked = timed = 0
    clean_time = None
    serial = 0
    while hooked + timed < kills:
        serial += 1
        name = rng.choice(sorted(present)) if present and rng.random() < 0.4 else None
        args = ["destroy", "loss", name] if name else ["loss", f"K{seed}x{serial}"]
        if rng.random() < 0.75 or clean_time is None:
            run = start(root, *args, fault=f"kill:{rng.randint(1, 12)}")
            code = run.wait(timeout=120)
            hooked += code == -signal.SIGKILL
        else:  # a kill at a random moment near the end of a run, where it writes
            run = start(root, *args)
            time.sleep(rng.uniform(0.5, 1.1) * clean_time)
            run.send_signal(signal.SIGKILL)
            code = run.wait(timeout=120)
            timed += code == -signal.SIGKILL
        if code == -signal.SIGKILL:
            continue
        if code != 0:  # a destroy whose killed run the recovery had finished already
            error = run.stderr.read()
            assert name and "no loss" in error, error
        began = time.perf_counter()
        result = subprocess.run(
            [KGEN, "loss", f"Clean{seed}x{serial}"], cwd=root, capture_output=True
        )
        clean_time = time.perf_counter() - began
        assert result.returncode == 0, result.stderr
        present = {k.split("/")[1] for k in assert_consistent(root)}
    subprocess.run([KGEN, "loss", "Last"], cwd=root, check=True, capture_output=True)
    assert_consistent(root)
    return hooked, timed


@pytest.mark.heavy
def test_runs_killed_in_the_write_window_leave_a_consistent_project(kgen, tmp_path):
    roots = []
    for n in range(4):
        run_ok(kgen, "new", f"demo{n}", "--package", "demo", cwd=tmp_path)
        roots.append(tmp_path / f"demo{n}")
    with ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(_killed_runs, roots, range(4), [50] * 4))
    assert sum(hooked + timed for hooked, timed in counts) >= 200
    assert all(hooked for hooked, _ in counts)


def test_a_kill_after_the_commit_point_is_finished_by_the_next_run(kgen, demo):
    """Killed at the journal's last step (all files replaced, journal still there): the
    next run finishes it; killed at the first step: nothing changed."""
    before = files_under(demo)
    run = start(demo, "loss", "Huber", fault="kill:1")
    assert run.wait(timeout=120) == -signal.SIGKILL
    assert files_under(demo) == before
    run = start(demo, "loss", "Huber", fault="kill:6")  # after the journal: mid-way
    assert run.wait(timeout=120) == -signal.SIGKILL
    assert (demo / ".kgen" / "journal.json").exists()
    run_ok(kgen, "metric", "Other", cwd=demo)
    assert set(assert_consistent(demo)) == {"loss/huber", "metric/other"}


@pytest.mark.heavy
@pytest.mark.parametrize("args", [["loss", "Huber"], ["destroy", "metric", "PSNR"]])
def test_a_full_disk_at_any_step_leaves_the_project_as_before(kgen, demo, args):
    run_ok(kgen, "metric", "PSNR", cwd=demo)
    before = files_under(demo)
    step = 0
    while True:
        step += 1
        run = start(demo, *args, fault=f"nospace:{step}")
        code = run.wait(timeout=120)
        if code == 0:
            break
        lines = run.stderr.read().splitlines()
        assert len(lines) == 1 and lines[0].startswith("kgen: error: cannot write ")
        assert lines[0].endswith("No space left on device"), lines
        assert files_under(demo) == before, f"step {step}"
        assert_consistent(demo)
    assert step > 5  # every step of the transaction was tried


def test_a_real_full_disk_is_one_line_and_leaves_nothing(kgen, small_disk):
    run_ok(kgen, "new", "demo", cwd=small_disk)
    demo = small_disk / "demo"
    run_ok(kgen, "loss", "Huber", cwd=demo)
    fill(small_disk)
    before = files_under(demo)
    for args in (["layer", "Dense2"], ["destroy", "loss", "Huber"]):
        message = run_error(kgen, *args, cwd=demo)
        assert "No space left on device" in message
        assert files_under(demo) == before
        assert sorted(p.name for p in (demo / ".kgen").iterdir()) == ["lock"]


def test_generating_twice_changes_no_byte(kgen, demo):
    run_ok(kgen, "loss", "Huber", "-p", "threshold", cwd=demo)
    first = files_under(demo)
    assert json.loads(first["kgen-manifest.json"])["components"]["loss/huber"][
        "folders"
    ] == ["tests/losses"]
    result = run_ok(kgen, "loss", "Huber", "-p", "threshold", cwd=demo)
    assert {line.split()[0] for line in result.stdout.splitlines()} == {"identical"}
    assert files_under(demo) == first
    run_ok(kgen, "destroy", "loss", "Huber", cwd=demo)
    assert not (demo / "tests" / "losses").exists()


def _hostile(demo, record):
    manifest = demo / "kgen-manifest.json"
    manifest.write_text(json.dumps({"components": {"loss/huber": record}}))


SHA = "0" * 64


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"files": {"../outside/victim.py": SHA}}, "'../outside/victim.py'"),
        ({"files": {"{victim}": SHA}}, "is not a path inside the project"),
        ({"files": {"link/victim.py": SHA}}, "leads outside the project"),
        ({"files": {".git/victim.py": SHA}}, "is not a path inside the project"),
        (
            {
                "files": {},
                "export": {"file": "../outside/__init__.py", "statement": "x\n"},
            },
            "export file",
        ),
        ({"files": {}, "folders": ["../outside"]}, "folder"),
        ({"files": {"pyproject.toml": SHA}}, "is not a Python module"),
        ({"files": ["huber.py"]}, '"files" must be an object'),
        ({"files": {"src/demo/losses/huber.py": 3}}, "is not a SHA-256"),
        ({"files": {}, "registered": 1}, '"registered" must be a string'),
        ({"files": {}, "run": "rm -rf"}, "unknown keys ['run']"),
    ],
    ids=range(11),
)
def test_destroy_never_reaches_outside_the_project(kgen, demo, record, message):
    """A manifest from a cloned repository naming files outside, even with the right
    hash: one line naming the entry, nothing touched, --force or not."""
    outside = demo.parent / "outside"
    outside.mkdir()
    victim = outside / "victim.py"
    victim.write_text("mine\n")
    (demo / "link").symlink_to(outside)
    record = json.loads(json.dumps(record).replace("{victim}", str(victim)))
    _hostile(demo, record)
    before = files_under(demo.parent)
    for force in ([], ["--force"]):
        error = run_error(kgen, "destroy", "loss", "Huber", *force, cwd=demo)
        assert "component 'loss/huber'" in error and message in error
        assert files_under(demo.parent) == before
    assert "component 'loss/huber'" in run_error(kgen, "loss", "Other", cwd=demo)


def test_settings_and_eject_stay_inside_the_project(kgen, demo, tmp_path):
    pyproject = demo / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace('"kgen_templates"', '"../shared"'))
    assert "templates: '../shared' is not a path inside" in run_error(
        kgen, "loss", "Huber", cwd=demo
    )
    (tmp_path / "elsewhere").mkdir()
    (demo / "kgen_templates").symlink_to(tmp_path / "elsewhere")
    pyproject.write_text(text)
    assert "leads outside the project" in run_error(kgen, "eject", "loss", cwd=demo)
    assert not any((tmp_path / "elsewhere").iterdir())
    (demo / "kgen_templates").unlink()
    (demo / "kgen_templates" / "loss").mkdir(parents=True)
    (demo / "kgen_templates" / "loss" / "module.py.j2").symlink_to(
        tmp_path / "elsewhere" / "module.py.j2"
    )
    assert "is outside the project" in run_error(kgen, "eject", "loss", cwd=demo)
    assert not any((tmp_path / "elsewhere").iterdir())


def test_one_registered_name_one_component(kgen, demo, tmp_path):
    run_ok(kgen, "loss", "Huber", cwd=demo)
    before = files_under(demo)
    error = run_error(kgen, "metric", "Huber", cwd=demo)
    assert "demo>Huber" in error and "loss/huber" in error and "--package" in error
    assert files_under(demo) == before
    run_ok(kgen, "metric", "Huber", "--package", "demo.metrics", cwd=demo)
    run_ok(kgen, "loss", "Huber", cwd=demo)  # the same component again: no collision
    error = run_error(kgen, "metric", "Huber", "--out", "src/demo/losses", cwd=demo)
    assert "src/demo/losses/huber.py" in error  # one module file, two components
    loose = tmp_path / "loose"
    run_ok(kgen, "loss", "Huber2", "--out", loose, cwd=tmp_path)
    error = run_error(kgen, "loss", "huber_2", "--out", loose, cwd=tmp_path)
    assert "Custom>Huber2" in error and "huber2.py" in error
    spec = tmp_path / "spec.toml"
    spec.write_text(
        '[[component]]\nkind = "loss"\nname = "Huber2"\n\n'
        '[[component]]\nkind = "metric"\nname = "huber_2"\n'
    )
    error = run_error(kgen, "build", spec, "--out", tmp_path / "built", cwd=tmp_path)
    assert "loss Huber2 and metric Huber2 both register as Custom>Huber2" in error
    assert not (tmp_path / "built").exists()


def test_a_model_with_a_loss_and_a_metric_both_named_huber_loads_both(kgen, demo):
    run_ok(kgen, "loss", "Huber", cwd=demo)
    run_ok(kgen, "metric", "Huber", "--package", "demo.metrics", cwd=demo)
    script = """
import numpy as np, keras
from demo.losses import Huber
from demo.metrics import Huber as HuberMetric
model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
model.compile(loss=Huber(), metrics=[HuberMetric()])
model.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0)
model.save("m.keras")
loaded = keras.saving.load_model("m.keras")
loaded.evaluate(np.ones((4, 2)), np.ones((4, 1)), verbose=0)  # builds its metrics
print(type(loaded.loss).__module__, [type(m).__module__ for m in loaded.metrics[1].metrics])
"""
    result = subprocess.run(
        ["python", "-c", script],
        cwd=demo,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(demo / "src")},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[0] == "demo.losses.huber"
    assert "demo.metrics.huber" in result.stdout


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            lambda d: (d / "src/demo/losses/__init__.py").write_bytes(b"# caf\xe9\n"),
            "cannot read src/demo/losses/__init__.py: not UTF-8",
        ),
        (
            lambda d: (d / "kgen-manifest.json").write_bytes(b'{"a": "\xe9"}'),
            "cannot read kgen-manifest.json: not UTF-8",
        ),
        (
            lambda d: (d / "kgen-manifest.json").write_text('{"components": []}'),
            '"components" must be an object',
        ),
        (
            lambda d: (d / "src/demo/losses/huber.py").mkdir(),
            "src/demo/losses/huber.py is a directory",
        ),
    ],
    ids=["latin1-init", "latin1-manifest", "manifest-types", "directory"],
)
def test_damaged_state_is_one_line_and_nothing_written(kgen, demo, damage, message):
    damage(demo)
    before = _bytes_under(demo)
    assert message in run_error(kgen, "loss", "Huber", cwd=demo)
    assert _bytes_under(demo) == before


def _bytes_under(folder):
    """Like files_under, by bytes: the damaged files are no text."""
    return {
        p: p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.parts[-2:] != (".kgen", "lock")
    }


def test_paths_kgen_cannot_use_are_one_line(kgen, tmp_path):
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    assert "loop" in run_error(kgen, "loss", "Huber", "--out", "loop/sub", cwd=tmp_path)
    message = run_error(kgen, "loss", "H" * 300, cwd=tmp_path)
    assert "255-byte limit" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loop"]


def test_a_pyproject_without_tool_kgen_never_blocks_loose_generation(kgen, tmp_path):
    (tmp_path / "pyproject.toml").write_bytes(b"[project\nname = \xe9\n")
    (tmp_path / "work").mkdir()
    run_ok(kgen, "loss", "Huber", cwd=tmp_path / "work")
    assert (tmp_path / "work" / "huber.py").is_file()
    (tmp_path / "pyproject.toml").write_text("[tool.kgen\npackage = 'demo'\n")
    assert "not valid TOML" in run_error(kgen, "loss", "Other", cwd=tmp_path / "work")


def _as_a_user(args):
    """The command as a user without root's permission override: a non-root user runs it
    as it is; root runs it with the capabilities that bypass file modes dropped."""
    if os.geteuid() != 0:
        return args
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: file modes cannot be enforced")
    drop = "--bounding-set=-dac_override,-dac_read_search,-fowner"
    return ["setpriv", "--inh-caps=-all", drop, "--", *args]


@pytest.mark.parametrize(
    ("locked", "mode", "message"),
    [
        ("src/demo/losses", 0o555, "src/demo/losses is not writable"),
        ("tests", 0o555, "tests is not writable"),
        (".", 0o555, "kgen-manifest.json: . is not writable"),
        (".kgen", 0o555, "cannot write"),
        ("src/demo/losses/__init__.py", 0o000, "Permission denied"),
    ],
    ids=["module-folder", "tests-folder", "project-root", "private-folder", "init"],
)
def test_permission_denied_is_one_line_and_nothing_written(
    kgen, demo, locked, mode, message
):
    run_ok(kgen, "metric", "PSNR", cwd=demo)  # a manifest, and kgen's private folder
    before = _bytes_under(demo)
    path = demo / locked
    old_mode = path.stat().st_mode
    path.chmod(mode)
    try:
        result = subprocess.run(
            _as_a_user([KGEN, "loss", "Huber"]),
            cwd=demo,
            capture_output=True,
            text=True,
        )
    finally:
        path.chmod(old_mode)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, result.stderr
    assert lines[0].startswith("kgen: error: ") and message in lines[0]
    assert _bytes_under(demo) == before
    assert not list(demo.rglob("*.tmp")) and not list(demo.rglob(".*.py.*"))
