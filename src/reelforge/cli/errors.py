"""Turn reelforge's typed errors into one clear line and a non-zero exit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

from reelforge.safety.errors import ModerationBlocked
from reelforge.types import ReelforgeError

_err = Console(stderr=True)


BLOCKED_EXIT = 3  # moderation refused the request (as `reelforge moderate` exits)


@contextmanager
def user_errors() -> Iterator[None]:
    """Report a ReelforgeError as `error: ...` on stderr and exit with status 2, or 3
    when moderation blocked the request."""
    try:
        yield
    except ReelforgeError as e:
        where = escape(f" [{e.param}]") if e.param else ""
        # soft_wrap: one line whatever the width, so a long path is never cut in two
        _err.print(f"[bold red]error{where}:[/] {escape(str(e))}", highlight=False, soft_wrap=True)
        raise typer.Exit(BLOCKED_EXIT if isinstance(e, ModerationBlocked) else 2) from None
