"""xl-tools serve: the 校验 and 汇总 web page (and the 收表台) served by the tool itself (library: xl_tools.web)."""

from __future__ import annotations

NAME = "serve"
HELP = ("启动网页版：在浏览器中校验、汇总绩效目标表（适用于 WPS、UOS/麒麟等没有 Excel 的电脑）；"
        "--desk 文件夹 开启收表台，保存每一次报送")
EXAMPLES = [
    "xl-tools serve",
    "xl-tools serve --port 8800 --no-browser",
    "xl-tools serve --desk 收表台 --host 0.0.0.0",
]


def add_arguments(parser) -> None:
    from xl_tools.web import DEFAULT_PORT

    parser.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="端口",
                        help=f"监听的端口，默认 {DEFAULT_PORT}；被占用时请换一个，如 --port {DEFAULT_PORT + 1}")
    parser.add_argument("--host", default="127.0.0.1", metavar="地址",
                        help="监听的地址，默认 127.0.0.1（只有本机能打开）；0.0.0.0 表示允许单位局域网内的电脑访问，"
                             "此时需要访问码")
    parser.add_argument("--token", metavar="访问码",
                        help="指定访问码（用 --host 开放到局域网时必需，不指定则随机生成并显示）")
    parser.add_argument("--desk", metavar="文件夹",
                        help="开启收表台：每次上传的文件和报送记录（时间、文件名、SHA-256、地市、年度、校验结果、报送人）"
                             "都保存在这个文件夹（SQLite 数据库），重启不丢失")
    parser.add_argument("--no-browser", action="store_true", help="不自动打开浏览器")


def run(args) -> int:
    import sys

    from xl_tools.errors import InputError
    from xl_tools.web import security
    from xl_tools.web.server import address, bind

    if not 0 < args.port < 65536:
        raise InputError(f"端口 {args.port} 不对：请写 1 到 65535 之间的数，如 --port 8765")
    code = args.token
    if code is not None and len(code.strip()) < 6:
        raise InputError("访问码太短：请至少写 6 个字符，或不写 --token 让程序随机生成")
    if code is None and not security.is_loopback(args.host):
        code = security.new_code()
    sock = bind(args.host, args.port)
    desk = None
    try:
        if args.desk:
            from xl_tools.web.desk import Desk

            desk = Desk(args.desk)
        from xl_tools.web.app import create_app
        from xl_tools.web.server import make_server, stop_on_signals

        server = make_server(create_app(desk=desk, code=code))
        url = address(args.host, args.port)
        opened = url + (f"?code={code}" if code else "")
        print(f"网页版已启动：{opened}", flush=True)
        if code:
            print(f"访问码：{code}（局域网内其他电脑请打开上面的完整地址，或在页面上输入访问码）", flush=True)
        if desk is not None:
            print(f"收表台：{desk.folder.resolve()}（收表台页面：{url}desk）", flush=True)
        print("按 Ctrl+C 停止。", flush=True)
        if not args.no_browser:
            local = f"http://127.0.0.1:{args.port}/" if args.host in ("0.0.0.0", "::", "") else url
            _open_browser(local + (f"?code={code}" if code else ""))
        stop_on_signals(server)
        server.run(sockets=[sock])
    finally:
        sock.close()
        if desk is not None:
            desk.close()
    print("网页版已停止。", file=sys.stderr, flush=True)
    return 0


def _open_browser(url: str) -> None:
    """Open ``url`` in the desktop's browser without ever holding up the server (nor taking over a terminal)."""
    import os
    import sys
    import threading

    if sys.platform.startswith(("linux", "freebsd")) and not (os.environ.get("DISPLAY")
                                                              or os.environ.get("WAYLAND_DISPLAY")):
        print("没有图形桌面，未自动打开浏览器：请在浏览器中打开上面的地址", flush=True)
        return

    def run() -> None:
        import webbrowser

        try:
            webbrowser.open(url)
        except Exception:          # no usable browser: the address is printed above
            pass

    threading.Thread(target=run, daemon=True).start()
