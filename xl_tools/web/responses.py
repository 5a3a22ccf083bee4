"""What every route answers with: Chinese JSON errors (bugs logged, never shown), safe downloads."""

from __future__ import annotations

import functools
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from xl_tools.errors import XlToolsError
from xl_tools.web import security
from xl_tools.web.uploads import UploadError

log = logging.getLogger("xl_tools.web")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INTERNAL = "服务器处理时出错（详情已记入服务器窗口的日志）：请重试；仍然出错时，请把服务器窗口中的信息发给信息管理员"


def error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def answer(handler):
    """Turn every failure into a Chinese JSON error: the user's mistakes say what to do, bugs are logged."""
    @functools.wraps(handler)
    async def wrapped(request: Request):
        try:
            return await handler(request)
        except UploadError as exc:
            return error(str(exc), exc.status)
        except XlToolsError as exc:
            return error(f"错误：{exc}", 422)
        except Exception:
            log.exception("request %s %s failed", request.method, request.url.path)
            return error(INTERNAL, 500)
    return wrapped


def download(data: bytes, name: str, media_type: str = XLSX) -> Response:
    return Response(data, media_type=media_type,
                    headers={"Content-Disposition": security.content_disposition(name),
                             "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
