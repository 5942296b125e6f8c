"""Terminal output helpers: colour only on a TTY (and never with NO_COLOR), a progress bar."""

from __future__ import annotations

import os
import sys
from typing import TextIO

COLOURS = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "dim": "2", "bold": "1"}


def use_colour(stream: TextIO, setting: str = "auto") -> bool:
    """Whether to colour output written to `stream` for a --color setting."""
    if setting != "auto":
        return setting == "always"
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


class Style:
    """Wraps text in ANSI colours when enabled."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, colour: str) -> str:
        """`text` in `colour` (a key of COLOURS), or plain."""
        return f"\033[{COLOURS[colour]}m{text}\033[0m" if self.enabled else text


class Progress:
    """A one-line progress bar on stderr, shown only on a TTY and for many items."""

    def __init__(self, total: int, minimum: int = 20, stream: TextIO = sys.stderr) -> None:
        self.total = total
        self.stream = stream
        self.active = total >= minimum and stream.isatty()
        self.done = 0

    def step(self, label: str = "") -> None:
        """Advance by one item."""
        self.done += 1
        if self.active:
            width = 30
            filled = width * self.done // self.total
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {label[-40:]:40s}")
            self.stream.flush()

    def close(self) -> None:
        """Clear the bar."""
        if self.active:
            self.stream.write("\r" + " " * 90 + "\r")
            self.stream.flush()
