from __future__ import annotations

from typing import Any

import pytest

from tests.world import build_world


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return build_world()
