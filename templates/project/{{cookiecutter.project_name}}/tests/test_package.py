"""`import {{ cookiecutter.package }}` must import every module of the package, so that a
saved model loads after that import alone. Checked in a fresh process, as a program that
loads models starts.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

PACKAGE = "{{ cookiecutter.package }}"


def test_importing_the_package_imports_every_module():
    package_dir = Path(importlib.util.find_spec(PACKAGE).origin).parent
    modules = {
        ".".join((PACKAGE, *path.relative_to(package_dir).with_suffix("").parts))
        for path in package_dir.rglob("*.py")
    }
    modules = {name.removesuffix(".__init__") for name in modules}
    script = f"import sys, {PACKAGE}; print(*sys.modules, sep='\\n')"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    missing = sorted(modules - set(result.stdout.split()))
    assert not missing, (
        f"`import {PACKAGE}` does not import {', '.join(missing)}: "
        "export each module from its subpackage's __init__.py"
    )
