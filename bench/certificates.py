"""Benchmark: certificate PDFs rendered per second on one core.

    .venv/bin/python bench/certificates.py [--count 500] [--script latin|vietnamese|...|all]

Renders certificates with the real layout, QR code and fonts, in one process, and prints
the rate for names in one script (or each in turn). Goal: at least 100 per second for
Latin names.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

NAMES = {  # a name per script; a number is added so that every certificate differs
    "latin": "Trainee Number",
    "vietnamese": "Nguyễn Thị Ánh Dương",
    "chinese": "王小明",
    "japanese": "山田太郎",
    "arabic": "مرحبا بك",
    "hebrew": "שלום עליכם",
    "devanagari": "देवनागरी नाम",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--script", choices=[*NAMES, "all"], default="latin")
    args = parser.parse_args()
    os.environ.setdefault("LECTERN_DATA_DIR", tempfile.mkdtemp(prefix="lectern-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lectern.settings.base")
    import django

    django.setup()
    from lectern.certificates.pdf import CertificateText, render_certificate

    failed = False
    for script in NAMES if args.script == "all" else [args.script]:
        rate = _rate(NAMES[script], args.count, CertificateText, render_certificate)
        if script == "latin" and rate < 100:
            failed = True
    sys.exit(1 if failed else 0)


def _rate(base: str, count: int, certificate_text: type, render: object) -> float:
    texts = [
        certificate_text(
            programme="Lectern Instructor Training",
            name=f"{base} {n}",
            awarded_on="29 November 2026",
            number=f"LI-2026-{n:06d}",
            signatory="Ada Lovelace",
            signatory_title="Director of Instructor Training",
            verify_url=f"https://lectern.example/verify/LI-2026-{n:06d}/",
        )
        for n in range(count)
    ]
    render(texts[0])  # type: ignore[operator]  # warm up: layout and fonts load once
    started = time.perf_counter()
    size = 0
    for text in texts:
        size += len(render(text))  # type: ignore[operator]
    elapsed = time.perf_counter() - started
    rate = count / elapsed
    print(
        f"certificates ({base.split()[0]}...): {count} in {elapsed:.2f} s = {rate:.0f} per second "
        f"(mean {size / count / 1024:.1f} KiB each; goal >= 100/s for Latin): "
        f"{'OK' if rate >= 100 else 'BELOW GOAL'}"
    )
    return rate


if __name__ == "__main__":
    main()
