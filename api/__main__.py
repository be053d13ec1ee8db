"""Command line: ``python -m api serve | migrate``."""

from __future__ import annotations

import argparse
import asyncio

import uvicorn

from api.app import MAX_BODY_BYTES
from api.db.connection import Database
from api.settings import Settings
from api.transport import with_deadlines


def serve(settings: Settings) -> None:
    uvicorn.run(
        "api.app:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        http=with_deadlines(
            settings.head_timeout_seconds, settings.body_timeout_seconds, settings.send_timeout_seconds
        ),
        ws="websockets-sansio",
        ws_max_size=MAX_BODY_BYTES,
        # Frames are small JSON: permessage-deflate saved few bytes, yet cost ~35 KiB of zlib state per socket
        # (40% of a socket's memory) and CPU on every frame (scripts/bench); it also lets size leak content.
        ws_per_message_deflate=False,
        proxy_headers=True,
        log_level="warning",
        timeout_graceful_shutdown=5,
    )


async def _migrate(settings: Settings) -> None:
    database = Database(settings.database_path)
    await database.open()
    await database.close()
    print(f"database ready: {settings.database_path}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m api", description="Backchannel server")
    parser.add_argument("command", choices=["serve", "migrate"])
    args = parser.parse_args()
    settings = Settings.from_env()
    if args.command == "serve":
        serve(settings)
    else:
        asyncio.run(_migrate(settings))


if __name__ == "__main__":
    main()
