"""What `oit COMMAND --help` shows: Typer renders help with rich markup, where a bracketed word
such as ``[fleet]`` is a style tag and vanishes unless written ``\\[fleet]``. Every bracketed
word of every command's help (its text and its options') must reach the screen."""

from __future__ import annotations

import re

import click
import typer
from typer.testing import CliRunner

from oit_checker.cli import app

TABLE = re.compile(r"\[[a-z_.]+\]")


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def test_bracketed_config_tables_survive_in_every_help():
    runner = CliRunner()
    lost = {}
    for path, command in _commands(typer.main.get_command(app)):
        texts = [command.help or ""] + [getattr(p, "help", "") or "" for p in command.params]
        wanted = {w for text in texts for w in TABLE.findall(text.replace("\\[", "["))}
        if not wanted:
            continue
        shown = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "400"}).output
        missing = sorted(w for w in wanted if w not in shown)
        if missing:
            lost[" ".join(path)] = missing
    assert lost == {}
