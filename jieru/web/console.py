"""The agent console's page: web/console/index.html, its stylesheet and the bundle esbuild
builds into web/console/dist/ (``npm ci && npm run build`` in web/console)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse

from jieru.config import PROJECT_ROOT

CONSOLE_DIR = PROJECT_ROOT / "web" / "console"
# Only these files are served: nothing else under web/ is reachable by name.
FILES = {
    "": (CONSOLE_DIR / "index.html", "text/html; charset=utf-8"),
    "console.css": (CONSOLE_DIR / "console.css", "text/css; charset=utf-8"),
    "console.js": (CONSOLE_DIR / "dist" / "console.js", "text/javascript; charset=utf-8"),
}

router = APIRouter(tags=["agents"])


@router.get("/console", include_in_schema=False)
def console_root() -> RedirectResponse:
    # The page loads its files relative to /console/.
    return RedirectResponse("/console/")


@router.get("/console/{name:path}", include_in_schema=False)
def console_file(name: str) -> FileResponse:
    if name not in FILES:
        raise HTTPException(404, {"code": "not_found", "message": "没有这个页面"})
    path, media_type = FILES[name]
    if not path.is_file():
        raise HTTPException(
            503,
            {
                "code": "not_built",
                "message": "客服工作台还没有构建：在 web/console 里运行 npm ci && npm run build",
            },
        )
    return FileResponse(path, media_type=media_type)
