"""Hostile, under `kgen check --write`: answers for the worker as it is imported, asking
kgen to write a file beside the teacher's, out of its own folder, then exits before the
worker can answer."""

import contextlib
import json
import os
from pathlib import Path

HERE = Path(__file__).resolve()
PLANTED = str(HERE.parent.parent / "planted.py")
RECORD = {
    "target": HERE.name,  # kgen check runs in this file's folder
    "file": str(HERE),
    "module": __name__,
    "error": "",
    "limit": "",
    "components": [
        {
            "component": "Planted",
            "passed": True,
            "problem": "",
            "contracts": [],
            "files": [{"path": PLANTED, "content": "planted", "existing": "keep"}],
            "test_file": {"name": "../planted.py", "content": "planted"},
        }
    ],
}
for name in os.listdir("/proc/self/fd"):
    if int(name) > 2:
        with contextlib.suppress(OSError):
            os.write(int(name), json.dumps([RECORD]).encode())
os._exit(0)
