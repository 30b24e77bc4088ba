"""The Python API (kgen.api) goes through the same request pipeline as the command."""

import subprocess
import sys

from kgen.api import generate, sources
from kgen.request import Request, plan_requests


def test_sources_are_what_the_command_writes(kgen, tmp_path):
    texts = sources("loss", "Huber", ["threshold=1.0"], summary="Huber loss.")
    result = kgen("loss", "Huber", "-p", "threshold=1.0")
    assert result.returncode == 0, result.stderr
    assert set(texts) == {"huber.py", "test_huber.py", "conftest.py", "kgen_harness.py"}
    for name, text in texts.items():
        written = (tmp_path / name).read_text()
        assert (written == text) == (name != "huber.py")  # only the summary differs
    assert "Huber loss." in texts["huber.py"]


def test_generate_writes_into_a_folder_and_twice_changes_nothing(tmp_path):
    first = generate("layer", "Quad", ["units:int=3"], folder=tmp_path, explain=True)
    assert [a.verb for a in first] == ["create"] * 4
    assert "# " in (tmp_path / "quad.py").read_text()
    again = generate("layer", "Quad", ["units:int=3"], folder=tmp_path, explain=True)
    assert [a.verb for a in again] == ["identical"] * 4


def test_plan_requests_writes_nothing(tmp_path):
    plan = plan_requests([Request("metric", "Psnr"), Request("loss", "Dice")], tmp_path)
    files = plan.files()
    assert {f.path.name for f in files} >= {"psnr.py", "dice.py", "test_dice.py"}
    assert list(tmp_path.iterdir()) == []


def test_the_api_never_imports_tensorflow(tmp_path):
    script = (
        "import sys\nfrom kgen.api import generate\n"
        f"generate('loss', 'Huber', folder={str(tmp_path)!r})\n"
        "print(sorted({'tensorflow', 'keras', 'numpy'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
