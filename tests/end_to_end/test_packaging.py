"""The wheel carries every template: an editable install reads them from the source tree
and would hide one that a real install lacks."""

import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT


@pytest.mark.heavy
def test_the_wheel_holds_every_template(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp_path, ROOT],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = tmp_path.glob("kgen-*.whl")
    packed = set(zipfile.ZipFile(wheel).namelist())
    templates = ROOT / "templates"
    shipped = {
        "kgen/templates/" + path.relative_to(templates).as_posix()
        for path in templates.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert shipped - packed == set()
    assert "kgen/templates/project/cookiecutter.json" in shipped
