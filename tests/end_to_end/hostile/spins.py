"""Hostile: never ends importing, computing (the CPU or the wall-clock limit stops it)."""

while True:
    pass
