from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.client import Team, make_team
from tests.push_service import PushService
from tests.server import ServerProcess


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One real server process (and SQLite file) shared by the tests that only need the API."""
    process = ServerProcess(tmp_path_factory.mktemp("server")).start()
    yield process
    process.stop()


@pytest.fixture
async def http(server: ServerProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        yield client


@pytest.fixture
async def team(http: httpx.AsyncClient, server: ServerProcess) -> Team:
    """A fresh team: an owner, one lead and two members."""
    return await make_team(http, server.ws_url)


@pytest.fixture(scope="module")
def push_service() -> Iterator[PushService]:
    """A local push service that verifies and decrypts every push (tests/push_service.py)."""
    service = PushService().start()
    yield service
    service.stop()


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server of the test's own, for tests that stop, kill or reconfigure it."""
    process = ServerProcess(tmp_path / "data")
    yield process
    process.stop()
