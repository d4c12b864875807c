"""The project's web service (FastAPI): the widget's files, the demo page, evidence uploads.

- ``GET /health`` → ``{"status": "ok"}``;
- ``GET /widget/<file>`` → the built widget (``web/widget/dist``: ``jieru-widget.js``);
- ``GET /`` → the demo page, a shop page with the widget, logged in as a demo buyer;
- ``POST /demo/token`` ``{"buyer": "b1001"}`` → ``{"token": ..., "buyer": ...}``: a
  short-lived token for one of ``JIERU_WEB_DEMO_BUYERS``; 404 when that list is empty
  (production: the host site issues its own tokens, see the README);
- ``POST /api/evidence`` → jieru.web.uploads (evidence photos, the reminder poller).

Run: ``python -m jieru.web`` (docker/entrypoint-web.sh), host and port from jieru.config.
"""

from __future__ import annotations

import json
from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from jieru.auth import make_token
from jieru.config import Settings, settings
from jieru.storage import storage
from jieru.web.uploads import router as uploads_router

# Demo tokens live a short while: the widget asks for a new one when it reconnects.
DEMO_TOKEN_MINUTES = 30


def _demo_page(config: Settings, buyer: str) -> str:
    template = files("jieru.web").joinpath("demo/index.html").read_text(encoding="utf-8")
    widget_config = {"server": config.rasa_socket_url, "buyer": buyer}
    # json.dumps escapes nothing HTML-special; "<" is escaped by hand so no value can
    # close the inline script.
    return template.replace(
        "__JIERU_DEMO_CONFIG__", json.dumps(widget_config).replace("<", "\\u003c")
    )


def create_app(config: Settings | None = None) -> FastAPI:
    """The web service for ``config`` (the environment's settings by default)."""
    config = config or settings()
    storage(config)  # a misconfigured evidence store stops the service now, not at an upload
    app = FastAPI(title="jieru web", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(uploads_router)
    if config.web_cors_origins:
        # A widget embedded in another site posts evidence from that site's origin.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(config.web_cors_origins),
            allow_methods=["POST"],
            allow_headers=["Authorization"],
        )

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", response_class=HTMLResponse)
    async def demo_page(buyer: str | None = None) -> HTMLResponse:
        if not config.web_demo_buyers:
            return HTMLResponse("demo login is off (JIERU_WEB_DEMO_BUYERS)", status_code=404)
        chosen = buyer if buyer in config.web_demo_buyers else config.web_demo_buyers[0]
        return HTMLResponse(_demo_page(config, chosen))

    @app.post("/demo/token")
    async def demo_token(request: Request) -> JSONResponse:
        try:
            body = await request.json()
        except ValueError:
            body = {}
        buyer = body.get("buyer") if isinstance(body, dict) else None
        if buyer not in config.web_demo_buyers:
            return JSONResponse({"error": "not_a_demo_buyer"}, status_code=404)
        token = make_token(buyer, minutes=DEMO_TOKEN_MINUTES)
        return JSONResponse(
            {"token": token, "buyer": buyer, "minutes": DEMO_TOKEN_MINUTES},
            headers={"Cache-Control": "no-store"},
        )

    # check_dir=False: the service starts before the widget is built (a 404 until then).
    app.mount("/widget", StaticFiles(directory=config.widget_dist, check_dir=False), name="widget")
    return app
