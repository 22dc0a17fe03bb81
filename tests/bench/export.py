"""``make bench-export``: the clinic-wide FHIR export's time and peak memory at 1,000 and 100,000 patients.

Each size's benchmark database (``<name>_<size>`` beside DATABASE_URL's, seeded once by tests.bench.seed
and shared with ``make bench``) is exported by ``manage.py export_fhir`` in a process of its own, and the
peak resident memory of that process is read from the kernel when it ends (``os.wait4``). The export
streams: its peak at 100,000 patients must be at most 1.5 times its peak at 1,000.

    make bench-export
    BENCH_SIZES=1000 make bench-export
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.run import DEFAULT_URL, PYTHON, ROOT, _database_url, _ensure_database, _env, _size_label

MAX_MEMORY_SCALE = 1.5  # the target: memory stays flat as the clinic grows


def export_once(env: dict, out: Path) -> dict:
    started = time.monotonic()
    process = subprocess.Popen(  # noqa: S603
        [PYTHON, "manage.py", "export_fhir", "--out", str(out)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"export_fhir failed ({process.returncode}):\n{output}")
    files = sorted(out.glob("*.ndjson"))
    return {
        "seconds": time.monotonic() - started,
        "peak_mib": usage.ru_maxrss / 1024,  # kilobytes on Linux
        "resources": sum(1 for f in files for _ in f.open("rb")),
        "bytes": sum(f.stat().st_size for f in files),
        "files": len(files),
    }


def main() -> int:
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith("postgres"):
        base_url = DEFAULT_URL
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,100000").split(",")]
    rows = []
    for size in sizes:
        url = _database_url(base_url, size)
        _ensure_database(url)
        env = _env(url, 0)
        subprocess.run([PYTHON, "-m", "tests.bench.seed", "--size", str(size)], cwd=ROOT, env=env, check=True)  # noqa: S603
        with tempfile.TemporaryDirectory(prefix="retrowalk-export-") as tmp:
            result = export_once(env, Path(tmp) / "out")
            shutil.rmtree(Path(tmp) / "out")
        rows.append({"size": size, **result})
    print(f"\n{'patients':>9} {'resources':>11} {'NDJSON':>9} {'time':>8} {'peak memory':>12}")
    for r in rows:
        print(
            f"{r['size']:>9,} {r['resources']:>11,} {r['bytes'] / 2**20:>7,.0f} MiB {r['seconds']:>6.1f} s "
            f"{r['peak_mib']:>8.0f} MiB"
        )
    if len(rows) < 2:
        return 0
    small, big = min(rows, key=lambda r: r["size"]), max(rows, key=lambda r: r["size"])
    scale = big["peak_mib"] / small["peak_mib"]
    met = scale <= MAX_MEMORY_SCALE
    print(
        f"\nPeak memory {_size_label(big['size'])} ÷ {_size_label(small['size'])}: {scale:.2f} "
        f"(target at most {MAX_MEMORY_SCALE}) — {'met' if met else 'MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
