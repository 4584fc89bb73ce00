"""axe-core, the accessibility checker the browser tests run in each page: one pinned version
from the npm registry, fetched by `npm pack` into var/cache/ and checked against the integrity
hash below before every use, so a changed or damaged tarball fails the tests instead of
checking pages with something else. `python -m tests.browser.axe` fetches it (`make
browser-test` does, and so does the first test that needs it); nothing of it is committed.

To upgrade: change VERSION, run `npm view axe-core@<version> dist.integrity`, put the answer in
INTEGRITY, run the accessibility tests and fix what the new rules find."""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

VERSION = "4.14.1"
INTEGRITY = (
    "sha512-"
    "FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
)
CACHE = Path(__file__).resolve().parents[2] / "var" / "cache"
TARBALL = CACHE / f"axe-core-{VERSION}.tgz"


def integrity_of(data: bytes) -> str:
    """The tarball's hash in the form npm's `dist.integrity` gives it."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _fetch() -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is missing: install Debian's npm (apt-get install npm)")
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as scratch:
        subprocess.run(
            [
                npm,
                "pack",
                f"axe-core@{VERSION}",
                "--pack-destination",
                scratch,
                "--ignore-scripts",
                "--silent",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        fetched = Path(scratch) / TARBALL.name
        found = integrity_of(fetched.read_bytes())
        if found != INTEGRITY:
            raise RuntimeError(f"axe-core {VERSION} from npm has {found}, not {INTEGRITY}")
        fetched.replace(TARBALL)


def source() -> str:
    """axe.min.js of the pinned version, from the checked tarball (fetched once)."""
    if not TARBALL.exists():
        _fetch()
    data = TARBALL.read_bytes()
    if integrity_of(data) != INTEGRITY:
        raise RuntimeError(f"{TARBALL} is not axe-core {VERSION} as pinned: delete it to refetch")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        member = tar.extractfile("package/axe.min.js")
        assert member is not None
        return member.read().decode()


if __name__ == "__main__":
    text = source()
    print(f"axe-core {VERSION}: {len(text)} characters, integrity checked", file=sys.stderr)


def violations(result: dict[str, Any]) -> list[str]:
    """axe's violations, one line per element: rule, impact, element, what to fix."""
    lines = []
    for rule in result["violations"]:
        for node in rule["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())[:300]
            lines.append(f"{rule['id']} ({rule['impact']}) at {node['target']}: {summary}")
    return lines
