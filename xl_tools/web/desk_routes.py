"""收表台 routes: submit files (with who submitted them), the 21 cities' status, 汇总 of the latest submissions."""

from __future__ import annotations

import shutil

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from xl_tools.web import work
from xl_tools.web.responses import answer, download, log
from xl_tools.web.batches import Batch
from xl_tools.web.uploads import UploadError, receive

MAX_WHO = 50


def _desk(request: Request):
    desk = request.app.state.desk
    if desk is None:
        raise UploadError("本服务器没有开启收表台：请用 xl-tools serve --desk 文件夹 启动", 404)
    return desk


def _submit(desk, uploads, folder, who: str) -> list[dict]:
    """Keep each file, 校验 it and record one submission per file; the recorded submissions."""
    checked = work.check_for_desk(uploads, folder / "check")
    done = []
    for upload, (entry, year) in zip(uploads, checked):
        stored = desk.store_file(upload.path, upload.sha256)
        sub = desk.record(file_name=upload.name, sha256=upload.sha256, size=upload.size, stored=stored,
                          city=entry.get("city"), year=year, report=entry, who=who)
        done.append({**sub.to_json(), "report": entry})
        log.info("收表台收到报送 %d：%s（%s，%s），报送人 %s", sub.id, sub.file_name, sub.city or "未识别地市",
                 sub.status, sub.who)
    return done


@answer
async def desk_status(request: Request) -> Response:
    desk = _desk(request)
    return JSONResponse(await run_in_threadpool(desk.status))


@answer
async def desk_submit(request: Request) -> Response:
    desk = _desk(request)
    batches = request.app.state.batches
    batch_id, folder = batches.new_folder()
    try:
        received = await receive(request, folder)
        who = " ".join(received.fields.get("who", "").split())
        if not who:
            raise UploadError("请填写报送人姓名（如 广州市局 张三），再上传", 400)
        if len(who) > MAX_WHO:
            raise UploadError(f"报送人姓名太长：请不超过 {MAX_WHO} 个字", 400)
        submissions = await run_in_threadpool(_submit, desk, received.files, folder, who)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return JSONResponse({"submissions": submissions})


def _consolidate_latest(desk, folder):
    latest = desk.latest()
    if not latest:
        raise UploadError("收表台还没有收到任何地市的表：请先上传", 422)
    uploads = work.staged([(desk.path_of(s), s.file_name) for s in latest], folder / "in")
    return work.consolidate(uploads, folder / "out")


@answer
async def desk_consolidate(request: Request) -> Response:
    desk = _desk(request)
    batches = request.app.state.batches
    result = Batch(*batches.new_folder())
    batches.keep(result)
    output, summary = await run_in_threadpool(_consolidate_latest, desk, result.folder)
    if request.query_params.get("format") == "json":
        return JSONResponse({"summary": summary, "download": f"/api/batches/{result.id}/consolidated"})
    return download(output.read_bytes(), work.CONSOLIDATED_NAME)


def _submission(request: Request):
    desk = _desk(request)
    sub = desk.get(request.path_params["id"])
    if sub is None:
        raise UploadError("收表台中没有这次报送：请刷新页面", 404)
    return desk, sub


@answer
async def desk_file(request: Request) -> Response:
    desk, sub = _submission(request)
    return download(desk.path_of(sub).read_bytes(), sub.file_name)


@answer
async def desk_marked(request: Request) -> Response:
    desk, sub = _submission(request)
    folder = request.app.state.batches.scratch()
    try:
        def build():
            upload = work.staged([(desk.path_of(sub), sub.file_name)], folder / "in")[0]
            path = work.marked_copy(upload, folder / "out")
            return path.name, path.read_bytes()

        name, data = await run_in_threadpool(build)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return download(data, name)


def routes() -> list[Route]:
    return [
        Route("/api/desk", desk_status, methods=["GET"]),
        Route("/api/desk", desk_submit, methods=["POST"]),
        Route("/api/desk/consolidate", desk_consolidate, methods=["GET", "POST"]),
        Route("/api/desk/files/{id:int}", desk_file),
        Route("/api/desk/files/{id:int}/marked", desk_marked),
    ]
