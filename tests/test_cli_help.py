"""Every command has Chinese help with an example; the CLI runs as a console script and as ``python -m``."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from xl_tools.cli import COMMAND_MODULES, build_parser, load_commands

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_top_level_help_is_chinese(capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "用法" in out and "示例" in out
    for module in load_commands():
        assert module.NAME in out


def test_every_command_has_help_and_example(capsys):
    modules = load_commands()
    assert modules, "no command is registered"
    for module in modules:
        assert HAN.search(module.HELP), f"{module.NAME}: help is not Chinese"
        assert module.EXAMPLES and all(line.startswith("xl-tools " + module.NAME) for line in module.EXAMPLES), \
            f"{module.NAME}: needs an example that starts with 'xl-tools {module.NAME}'"
        with pytest.raises(SystemExit):
            build_parser().parse_args([module.NAME, "--help"])
        out = capsys.readouterr().out
        assert "示例" in out and module.EXAMPLES[0] in out
        for action in build_parser()._subparsers._group_actions[0].choices[module.NAME]._actions:
            assert action.help and HAN.search(action.help), f"{module.NAME} {action.option_strings}: help not Chinese"


def test_registry_names_match_modules():
    names = {m.NAME.replace("-", "_") for m in load_commands()}
    assert names <= set(COMMAND_MODULES)


def test_python_dash_m_runs():
    done = subprocess.run([sys.executable, "-m", "xl_tools", "--help"], capture_output=True, text=True,
                          encoding="utf-8")
    assert done.returncode == 0 and "用法" in done.stdout


def test_bad_arguments_exit_2_in_chinese():
    done = subprocess.run([sys.executable, "-m", "xl_tools", "--no-such-flag"], capture_output=True, text=True,
                          encoding="utf-8")
    assert done.returncode == 2 and "参数错误" in done.stderr
