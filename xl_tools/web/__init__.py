"""网页版: 校验 and 汇总 in a browser, and the 收表台 (``xl-tools serve``).

Nothing is imported here: ``import xl_tools.cli`` and ``import xl_tools.excel`` stay free of Starlette and
uvicorn; ``xl_tools.web.app`` imports them when the server starts.
"""

DEFAULT_PORT = 8765
