"""Every published file of a build by SHA-256: the before/after proof that a refactoring changed no output.

    python benchmarks/output_digest.py site > before.json      # on the old code, cold cache
    python benchmarks/output_digest.py site > after.json       # on the new code, cold cache
    python benchmarks/output_digest.py --compare before.json after.json

`manifest.json` counts by its `outputs` (every published file with its hash and size); its `inputs` record
the build's own fingerprint, which hashes our source code and so changes with any refactoring by design.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path


def digest(site: Path) -> dict[str, str]:
    root = site.resolve()
    found = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path == root / "manifest.json":
            data = json.dumps(json.loads(data)["outputs"], sort_keys=True).encode()
        found[path.relative_to(root).as_posix()] = hashlib.sha256(data).hexdigest()
    return found


def compare(before: dict[str, str], after: dict[str, str]) -> list[str]:
    problems = [f"only before: {p}" for p in sorted(before.keys() - after.keys())]
    problems += [f"only after: {p}" for p in sorted(after.keys() - before.keys())]
    problems += [f"differs: {p}" for p in sorted(before.keys() & after.keys()) if before[p] != after[p]]
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", nargs="?", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        before, after = (json.loads(p.read_text(encoding="utf-8")) for p in args.compare)
        problems = compare(before, after)
        for line in problems:
            print(line)
        print(f"{len(before)} files before, {len(after)} after, {len(problems)} differences")
        return 1 if problems else 0
    if args.site is None:
        parser.error("give a site folder or --compare BEFORE AFTER")
    json.dump(digest(args.site), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
