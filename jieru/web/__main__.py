"""``python -m jieru.web``: serve the web service with uvicorn on JIERU_WEB_HOST:JIERU_WEB_PORT."""

from __future__ import annotations

import uvicorn

from jieru.config import settings
from jieru.web.app import create_app


def main() -> None:
    config = settings()
    # ws="none": the service has no websocket routes (the widget speaks socket.io to the
    # Rasa server), and the websockets release rasa-sdk pins is older than uvicorn supports.
    uvicorn.run(
        create_app(config),
        host=config.web_host,
        port=config.web_port,
        proxy_headers=True,
        ws="none",
    )


if __name__ == "__main__":
    main()
