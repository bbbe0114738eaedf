"""Summarise ``mutmut results`` for ``make mutate``: per module, mutants killed / survived / other, the share that
survived, and each survivor with its diff (``mutmut show``). Exit status 0: this is a report, not a gate."""

import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

BIN = Path(sys.executable).parent
KILLED = {"killed"}


def results() -> list[tuple[str, str]]:
    out = subprocess.run([BIN / "mutmut", "results", "--all", "true"], capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        match = re.match(r"\s*(\S+): (.+)$", line)
        if match and "__mutmut_" in match.group(1):
            rows.append((match.group(1), match.group(2).strip()))
    return rows


def module_of(name: str) -> str:
    return name.split(".x", 1)[0] if ".x" in name else name


def main(scope: list[str]) -> None:
    rows = [(n, s) for n, s in results() if s != "not checked" and (not scope or any(re.match(p.replace("*", ".*"), n)
                                                                                     for p in scope))]  # fmt: skip
    by_module: dict[str, Counter] = defaultdict(Counter)
    for name, status in rows:
        by_module[module_of(name)][status] += 1
    total, survived_total = 0, 0
    print(f"{'module':32} {'mutants':>8} {'killed':>7} {'survived':>9} {'other':>6} {'survived %':>11}")
    for module, counts in sorted(by_module.items()):
        n = sum(counts.values())
        killed = sum(counts[s] for s in KILLED)
        survived = counts["survived"]
        total, survived_total = total + n, survived_total + survived
        other = n - killed - survived
        print(f"{module:32} {n:8} {killed:7} {survived:9} {other:6} {100 * survived / n:10.1f}%")
    if total:
        print(f"{'all':32} {total:8} {'':7} {survived_total:9} {'':6} {100 * survived_total / total:10.1f}%")
    others = [(n, s) for n, s in rows if s not in KILLED and s != "survived"]
    for name, status in others:
        print(f"  {status}: {name}")
    print("\nSurvivors:")
    for name, status in rows:
        if status == "survived":
            print(f"--- {name}")
            print(subprocess.run([BIN / "mutmut", "show", name], capture_output=True, text=True).stdout.strip())


def drop_test_database() -> None:
    """A fresh test database for the run (mutmut's pytest sessions reuse it with --reuse-db)."""
    import os
    from urllib.parse import urlparse

    import psycopg2

    url = urlparse(os.environ["DATABASE_URL"])
    connection = psycopg2.connect(host=url.hostname, port=url.port or 5432, user=url.username,
                                  password=url.password, dbname="postgres")  # fmt: skip
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "test_{url.path.lstrip("/")}"')
    connection.close()


if __name__ == "__main__":
    if sys.argv[1:] == ["--drop-test-database"]:
        drop_test_database()
    else:
        main(sys.argv[1:])
