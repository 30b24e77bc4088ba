"""Hostile: never ends importing, asleep (the wall-clock limit stops it)."""

import time

while True:
    time.sleep(1)
