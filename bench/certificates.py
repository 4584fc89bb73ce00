"""Benchmark: certificate PDFs rendered per second on one core.

    .venv/bin/python bench/certificates.py [--count 500]

Renders certificates with the real layout, QR code and fonts, in one process, and prints
the rate. Goal: at least 100 per second.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args()
    os.environ.setdefault("LECTERN_DATA_DIR", tempfile.mkdtemp(prefix="lectern-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lectern.settings.base")
    import django

    django.setup()
    from lectern.certificates.pdf import CertificateText, render_certificate

    texts = [
        CertificateText(
            programme="Lectern Instructor Training",
            name=f"Trainee Number {n}",
            awarded_on="29 November 2026",
            number=f"LI-2026-{n:06d}",
            signatory="Director of Instructor Training",
            verify_url=f"https://lectern.example/verify/LI-2026-{n:06d}/",
        )
        for n in range(args.count)
    ]
    render_certificate(texts[0])  # warm up: layout and fonts load once
    started = time.perf_counter()
    size = 0
    for text in texts:
        size += len(render_certificate(text))
    elapsed = time.perf_counter() - started
    rate = args.count / elapsed
    print(
        f"certificates: {args.count} in {elapsed:.2f} s = {rate:.0f} per second "
        f"(mean {size / args.count / 1024:.1f} KiB each; goal >= 100/s): "
        f"{'OK' if rate >= 100 else 'BELOW GOAL'}"
    )
    sys.exit(0)


if __name__ == "__main__":
    main()
