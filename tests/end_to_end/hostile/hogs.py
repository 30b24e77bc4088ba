"""Hostile: takes 6 GB at import, 256 MB at a time (the memory limit stops it)."""

chunks = [bytearray(256 * 2**20) for _ in range(24)]
