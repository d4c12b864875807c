"""The web service's own routes (jieru.web.app), in process: CORS for host sites that
upload evidence from their own origin, and the demo login off unless configured."""

from __future__ import annotations

from dataclasses import replace

from fastapi.testclient import TestClient

from jieru.config import settings
from jieru.web.app import create_app

SHOP = "https://shop.example.com"


def client(**changes) -> TestClient:
    return TestClient(create_app(replace(settings(), **changes)))


def preflight(c: TestClient, origin: str):
    return c.options(
        "/api/evidence",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )


def test_a_listed_host_site_may_upload_from_its_origin_and_others_may_not() -> None:
    c = client(web_cors_origins=(SHOP,))
    allowed = preflight(c, SHOP)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == SHOP
    refused = preflight(c, "https://evil.example.com")
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers


def test_no_cross_origin_uploads_by_default() -> None:
    assert "access-control-allow-origin" not in preflight(client(), SHOP).headers


def test_demo_login_and_page_are_off_without_demo_buyers() -> None:
    c = client(web_demo_buyers=())
    assert c.get("/health").json() == {"status": "ok"}
    assert c.get("/").status_code == 404
    assert c.post("/demo/token", json={"buyer": "b1001"}).status_code == 404


def test_demo_page_escapes_its_configuration() -> None:
    c = client(web_demo_buyers=("b1001",), rasa_socket_url="https://bot.example.com/</script>")
    page = c.get("/").text
    assert '</script>"' not in page and "\\u003c/script>" in page


def test_the_service_serves_the_agents_api_and_the_console(monkeypatch) -> None:
    monkeypatch.setenv("JIERU_APP_JWT_SECRET", "test-secret-for-the-app-0123456789")
    from jieru.auth import make_token

    c = client()
    assert c.get("/api/agent/queue").status_code == 401
    buyer = {"Authorization": f"Bearer {make_token('b1001')}"}
    assert c.get("/api/agent/queue", headers=buyer).status_code == 403
    assert c.get("/console", follow_redirects=False).headers["location"] == "/console/"
    # Served, or 503 with how to build it: never a 404 once the service has the route.
    assert c.get("/console/").status_code == 200
    assert c.get("/console/console.js").status_code in (200, 503)
