"""kgen's cache of formatted code: a hit gives the same text without black, a damaged entry
is ignored, concurrent writers never leave a partial entry, and no usable folder only
means no cache."""

import os
import subprocess
import sys
import textwrap

import pytest

from kgen import cache, formatting
from kgen.generate import module_source
from kgen.spec import make_spec

SOURCE = "x = [1,\n  2]\n"
FORMATTED = "x = [1, 2]\n"


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(folder))
    return folder


def entries(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_a_hit_returns_the_same_text_without_black(cache_folder, monkeypatch):
    # A body of the user's own: black formats it (code from kgen's templates alone is
    # already in black's style).
    spec = make_spec(
        "loss", "Huber", ["threshold"], "Custom", bodies={"call": "return  y_pred"}
    )
    first = module_source(spec)
    assert entries(cache_folder)

    def no_black(source, width):
        raise AssertionError("black ran on a cache hit")

    monkeypatch.setattr(formatting, "_black", no_black)
    assert module_source(spec) == first


def test_a_damaged_entry_is_ignored_and_replaced(cache_folder):
    assert formatting.format_source(SOURCE, "x.py") == FORMATTED
    [entry] = entries(cache_folder)
    for damage in (b"", b"\xff\xfe", entry.read_bytes()[:-3], b"0" * 64 + b"\ny = 2\n"):
        entry.write_bytes(damage)
        assert formatting.format_source(SOURCE, "x.py") == FORMATTED
        assert cache.read("source", entry.name) == FORMATTED


def test_an_unusable_folder_means_no_cache(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(tmp_path / "file" / "cache"))
    assert formatting.format_source(SOURCE, "x.py") == FORMATTED
    assert formatting.format_source(SOURCE, "x.py") == FORMATTED


def test_a_command_works_without_a_usable_cache(kgen, tmp_path, monkeypatch):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(tmp_path / "file" / "cache"))
    result = kgen("loss", "Huber", "--param", "threshold")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "huber.py").is_file()


def test_a_command_whose_code_is_cached_does_not_import_black(kgen, tmp_path):
    # A cache of its own: the session's may hold this code already.
    env = {
        **os.environ,
        "PYTHONPROFILEIMPORTTIME": "1",
        "KGEN_CACHE_DIR": str(tmp_path / "cache"),
    }
    # A default longer than a line: the docstring's line needs black's judgement.
    long = f"--param=greeting='{'a' * 90}'"
    runs = [kgen("loss", "Huber", long, "--force", env=env) for _ in range(2)]
    assert [run.returncode for run in runs] == [0, 0], runs[0].stderr[-2000:]
    assert "| black\n" in runs[0].stderr  # the import trace is real
    assert "| black\n" not in runs[1].stderr


def test_code_from_the_templates_alone_never_imports_black(kgen, tmp_path):
    env = {
        **os.environ,
        "PYTHONPROFILEIMPORTTIME": "1",
        "KGEN_CACHE_DIR": str(tmp_path / "cache"),  # empty: nothing comes from it
    }
    run = kgen("layer", "SimpleDense", "-p", "units:int=32", env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    assert " kgen.formatting\n" in run.stderr  # the import trace is real
    assert "| black\n" not in run.stderr
    # No formatted code cached: only compiled templates and the modules not to shadow.
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [
        "modules",
        "templates",
    ]


def test_the_folder_is_kgens_own_or_the_users_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(tmp_path / "mine"))
    assert cache.cache_dir() == tmp_path / "mine"
    if sys.platform.startswith("linux"):
        monkeypatch.delenv(cache.CACHE_DIR_VARIABLE)
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert cache.cache_dir() == tmp_path / "xdg" / "kgen"


WRITER = textwrap.dedent("""
    import sys
    from kgen import cache

    for round in range(200):
        cache.write("race", "entry", sys.argv[1] * (20_000 + round))
    """)
READER = textwrap.dedent("""
    import hashlib
    import sys
    from kgen import cache

    entry = cache.cache_dir() / "race" / "entry"
    for _ in range(2_000):
        try:
            data = entry.read_bytes()
        except FileNotFoundError:
            continue
        checksum, _, text = data.partition(b"\\n")
        assert hashlib.sha256(text).hexdigest().encode() == checksum, len(data)
        assert len(set(text)) == 1 and len(text) >= 20_000, len(text)
    """)


def test_concurrent_writers_never_leave_a_partial_entry(cache_folder):
    env = {**os.environ, cache.CACHE_DIR_VARIABLE: str(cache_folder)}
    processes = [
        subprocess.Popen([sys.executable, "-c", WRITER, letter], env=env)
        for letter in "abcd"
    ]
    reader = subprocess.run(
        [sys.executable, "-c", READER], env=env, capture_output=True, text=True
    )
    assert all(process.wait(timeout=120) == 0 for process in processes)
    assert reader.returncode == 0, reader.stderr
    assert [p.name for p in entries(cache_folder)] == ["entry"]  # no temporary left
    assert cache.read("race", "entry") is not None
