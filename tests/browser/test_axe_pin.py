"""axe-core is used only as pinned: fetched when missing, and its tarball checked against the
pinned hash before every use."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import axe


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache, as on a clean clone."""
    monkeypatch.setattr(axe, "CACHE", tmp_path)
    monkeypatch.setattr(axe, "TARBALL", tmp_path / axe.TARBALL.name)
    return tmp_path


def test_an_empty_cache_is_filled_with_the_pinned_version(cache: Path) -> None:
    assert axe.source().startswith(f"/*! axe v{axe.VERSION}\n")
    assert axe.integrity_of(axe.TARBALL.read_bytes()) == axe.INTEGRITY
    assert [p.name for p in cache.iterdir()] == [axe.TARBALL.name]


def test_a_changed_tarball_is_refused(cache: Path) -> None:
    axe.source()
    tampered = bytearray(axe.TARBALL.read_bytes())
    tampered[-1] ^= 1
    axe.TARBALL.write_bytes(bytes(tampered))
    with pytest.raises(RuntimeError, match="is not axe-core"):
        axe.source()
