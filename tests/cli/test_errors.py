"""The CLI's error line: one line, whatever its length."""

from __future__ import annotations

import pytest
import typer

from reelforge.cli.errors import user_errors
from reelforge.types import NotFoundError


def test_a_long_error_stays_on_one_line_so_its_path_is_whole(capsys):
    path = "/tmp/" + "a-long-folder-name/" * 12 + "missing.mp4"
    with pytest.raises(typer.Exit) as e, user_errors():
        raise NotFoundError(f"No such media file: {path}", param="file")
    assert e.value.exit_code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and path in err
