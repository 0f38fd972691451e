"""Shared pytest fixtures: the fixture HTTP server/proxy and the fixtures folder."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).parent
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

from fixtureserver import FixtureServer  # noqa: E402 - needs the path above


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """Path of tests/fixtures (sites/, expected/, pages)."""
    return TESTS_DIR / "fixtures"


@pytest.fixture(scope="session")
def expected_blogs(fixtures_dir: Path) -> dict[str, dict]:
    """tests/fixtures/expected/<host>.json, keyed by host (see tests/fixtures/generate.py)."""
    folder = fixtures_dir / "expected"
    return {p.stem: json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))}


@pytest.fixture(scope="session")
def fixture_server() -> Iterator[FixtureServer]:
    """One proxy for the whole session, on a free loopback port.

    It exposes ``.proxy_url``, ``.requests`` (Counter of (host, path)), ``.count(host, path)``,
    ``.reset_counts()`` and ``.faults`` (see tests/fixtureserver.py).
    """
    server = FixtureServer(port=0).start()
    yield server
    server.stop()


@pytest.fixture
def proxy_env(
    fixture_server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FixtureServer]:
    """Route plain-http traffic of this test through the fixture server.

    Counts and faults are reset before the test so each test sees only its own requests.
    """
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, fixture_server.proxy_url)
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    fixture_server.reset_counts()
    fixture_server.faults.clear()
    yield fixture_server
    fixture_server.faults.clear()
