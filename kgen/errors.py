class KgenError(Exception):
    """A problem with the user's request, reported as one line, never as a traceback."""
