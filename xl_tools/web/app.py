"""The web page's routes (Starlette): the page, the JSON API that mirrors the CLI, and the 收表台.

    POST /api/validate                  multipart ``files`` → the ``validate --json`` document
    POST /api/consolidate               multipart ``files`` (or ``?batch=``) → the provincial workbook
    GET  /api/template                  the blank template
    GET  /api/desk, POST /api/desk      收表台 status; submit ``files`` with ``who``
    GET  /api/desk/consolidate          汇总 of each city's latest submission
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from xl_tools.web import security, work
from xl_tools.web.batches import Batch, Batches
from xl_tools.web.responses import answer, download, error
from xl_tools.web.uploads import UploadError, receive

STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".css": "text/css; charset=utf-8", ".png": "image/png"}
PAGE_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                "Referrer-Policy": "no-referrer",
                "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'"}


def _static(name: str) -> bytes | None:
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    try:
        return resources.files("xl_tools.web").joinpath("static", name).read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


# --- pages ------------------------------------------------------------------------------------------------

async def page(request: Request) -> Response:
    name = "desk.html" if request.url.path == "/desk" else "index.html"
    if name == "desk.html" and request.app.state.desk is None:
        return HTMLResponse("<meta charset='utf-8'><p>本服务器没有开启收表台：请用 xl-tools serve --desk 文件夹 启动。"
                            "<a href='/'>返回校验页面</a></p>", status_code=404)
    return Response(_static(name), media_type=STATIC_TYPES[".html"], headers=PAGE_HEADERS)


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    data = _static(name)
    if data is None:
        return Response("未找到", status_code=404, media_type="text/plain; charset=utf-8")
    return Response(data, media_type=STATIC_TYPES.get(Path(name).suffix, "application/octet-stream"),
                    headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})


async def info(request: Request) -> Response:
    from xl_tools import __version__

    return JSONResponse({"version": __version__, "desk": request.app.state.desk is not None})


# --- 校验 and 汇总 of uploaded files ------------------------------------------------------------------------

async def _received_batch(request: Request) -> Batch:
    batches: Batches = request.app.state.batches
    batch_id, folder = batches.new_folder()
    try:
        received = await receive(request, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Batch(batch_id, folder, received.files)


@answer
async def api_validate(request: Request) -> Response:
    batch = await _received_batch(request)
    request.app.state.batches.keep(batch)
    doc = await run_in_threadpool(work.validate, batch.uploads)
    return JSONResponse(doc, headers={"X-XL-Batch": batch.id})


def _batch_file(request: Request):
    batch = request.app.state.batches.get(request.path_params["batch"])
    index = request.path_params["index"]
    if batch is None or not 0 <= index < len(batch.uploads):
        raise UploadError("找不到这个文件（服务器已重启或时间太久）：请重新上传", 404)
    return batch, batch.uploads[index]


@answer
async def api_marked(request: Request) -> Response:
    batch, upload = _batch_file(request)
    folder = batch.folder / "marked" / f"{request.path_params['index']:04d}"
    path = await run_in_threadpool(work.marked_copy, upload, folder)
    return download(path.read_bytes(), path.name)


@answer
async def api_consolidate(request: Request) -> Response:
    batches: Batches = request.app.state.batches
    ids = [b for b in request.query_params.get("batch", "").split(",") if b]
    if ids:
        found = [batches.get(b) for b in ids]
        if any(b is None for b in found):
            raise UploadError("找不到已上传的文件（服务器已重启或时间太久）：请重新上传", 404)
        uploads = [u for b in found for u in b.uploads]
        result = Batch(*batches.new_folder())
    else:
        result = await _received_batch(request)
        uploads = result.uploads
    batches.keep(result)
    output, summary = await run_in_threadpool(work.consolidate, uploads, result.folder / "out")
    if request.query_params.get("format") == "json":
        return JSONResponse({"summary": summary, "download": f"/api/batches/{result.id}/consolidated"})
    return download(output.read_bytes(), work.CONSOLIDATED_NAME)


@answer
async def api_consolidated(request: Request) -> Response:
    batch = request.app.state.batches.get(request.path_params["batch"])
    path = batch.folder / "out" / work.CONSOLIDATED_NAME if batch else None
    if path is None or not path.exists():
        raise UploadError("找不到这份汇总工作簿（服务器已重启或时间太久）：请重新点“汇总”", 404)
    return download(path.read_bytes(), work.CONSOLIDATED_NAME)


@answer
async def api_template(request: Request) -> Response:
    def build() -> bytes:
        from xl_tools.workbook.template import write_template

        folder = request.app.state.batches.scratch()
        try:
            return Path(write_template(folder / "绩效目标表模板.xlsx")).read_bytes()
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    state = request.app.state
    if state.template is None:
        state.template = await run_in_threadpool(build)
    return download(state.template, "绩效目标表模板.xlsx")


# --- app --------------------------------------------------------------------------------------------------

class Guard:
    """ASGI middleware: the access code (when set) and the same-origin rule for requests that change state."""

    OPEN = ("/static/",)

    def __init__(self, app, code: str | None) -> None:
        self.app, self.code = app, code

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        path = scope["path"]
        if request.method not in ("GET", "HEAD") and security.cross_site(request):
            return await error("拒绝来自其他网站的请求：请直接在本工具的页面上操作", 403)(scope, receive, send)
        if self.code and not path.startswith(self.OPEN):
            given = security.request_code(request)
            if not security.code_matches(given, self.code):
                if path.startswith("/api/"):
                    response = error("需要访问码：请使用服务器窗口中显示的完整地址（含 ?code=），"
                                     "或在请求头 X-Access-Code 中给出访问码", 401)
                else:
                    response = HTMLResponse(_static("login.html"), status_code=401, headers=PAGE_HEADERS)
                return await response(scope, receive, send)
            if (request.method == "GET" and not path.startswith("/api/")
                    and security.code_matches(request.query_params.get(security.QUERY), self.code)):
                response = RedirectResponse(path, status_code=303)
                response.set_cookie(security.COOKIE, request.query_params[security.QUERY], httponly=True,
                                    samesite="strict")
                return await response(scope, receive, send)
        return await self.app(scope, receive, send)


def create_app(*, desk=None, code: str | None = None, batches_root: Path | None = None):
    """The Starlette app; ``desk`` is an open ``Desk`` or None, ``code`` the access code or None (loopback)."""
    from xl_tools.web import desk_routes

    routes = [
        Route("/", page), Route("/desk", page), Route("/static/{name}", static),
        Route("/api/info", info), Route("/api/template", api_template),
        Route("/api/validate", api_validate, methods=["POST"]),
        Route("/api/consolidate", api_consolidate, methods=["POST"]),
        Route("/api/batches/{batch}/{index:int}/marked", api_marked),
        Route("/api/batches/{batch}/consolidated", api_consolidated),
        *desk_routes.routes(),
    ]
    import contextlib

    batches = Batches(batches_root)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        batches.close()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.desk = desk
    app.state.batches = batches
    app.state.template = None
    app.add_middleware(Guard, code=code)
    return app
