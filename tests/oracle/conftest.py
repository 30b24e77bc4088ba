"""Prints the oracle's counts at the end of the run (from the workers' reports too)."""

COUNTS = []


def pytest_runtest_logreport(report):
    if report.when == "call":
        COUNTS.extend(v for k, v in report.user_properties if k == "oracle_counts")


def pytest_terminal_summary(terminalreporter):
    for line in COUNTS:
        terminalreporter.write_line(f"kgen check oracle, {line}")
