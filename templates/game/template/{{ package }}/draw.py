"""Drawing: a game state rendered as lines of text, and a thin curses screen to show them."""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # type hints only: game imports draw, never the other way at run time
    from .game import Action, GameState

__all__ = [
    "BALL",
    "NET",
    "PADDLE",
    "TerminalScreen",
    "TerminalUnavailableError",
    "court_size",
    "draw_game",
    "frame_size",
    "run_in_terminal",
]

BALL = "o"
PADDLE = "#"
NET = ":"
_BORDER_COLUMNS = 2
_HEADER_ROWS = 1
_BORDER_ROWS = 2


class TerminalUnavailableError(Exception):
    """There is no terminal curses can drive (no curses module, or not a TTY)."""


def frame_size(court_width: int, court_height: int) -> tuple[int, int]:
    """Return the (columns, rows) a frame needs for a court: score line plus border."""
    return court_width + _BORDER_COLUMNS, court_height + _HEADER_ROWS + _BORDER_ROWS


def court_size(columns: int, rows: int) -> tuple[int, int]:
    """Return the largest court (width, height) a frame of `columns` x `rows` can show."""
    return columns - _BORDER_COLUMNS, rows - _HEADER_ROWS - _BORDER_ROWS


def draw_game(state: GameState, width: int, height: int) -> list[str]:
    """Render `state` as exactly `height` lines of exactly `width` characters.

    The frame (score line, then the bordered court) is centred; when it does
    not fit, the first line says so instead.
    """
    if width <= 0 or height <= 0:
        return [" " * max(width, 0)] * max(height, 0)
    frame_width, frame_height = frame_size(state.width, state.height)
    if width < frame_width or height < frame_height:
        message = f"Too small: {frame_width}x{frame_height} needed"
        return [message[:width].ljust(width)] + [" " * width] * (height - 1)
    court = [[" "] * state.width for _ in range(state.height)]
    for row in range(0, state.height, 2):
        court[row][state.width // 2] = NET
    for top, column in ((state.left, state.left_column), (state.right, state.right_column)):
        first = math.floor(top)
        for row in range(max(first, 0), min(first + state.paddle_height, state.height)):
            court[row][column] = PADDLE
    ball_row = min(max(math.floor(state.ball.y), 0), state.height - 1)
    ball_column = min(max(math.floor(state.ball.x), 0), state.width - 1)
    court[ball_row][ball_column] = BALL
    edge = "+" + "-" * state.width + "+"
    frame = [
        _score_line(state).center(frame_width),
        edge,
        *("|" + "".join(cells) + "|" for cells in court),
        edge,
    ]
    left = (width - frame_width) // 2
    top_margin = (height - frame_height) // 2
    blank = " " * width
    return (
        [blank] * top_margin
        + [" " * left + line + " " * (width - frame_width - left) for line in frame]
        + [blank] * (height - frame_height - top_margin)
    )


def _score_line(state: GameState) -> str:
    score = f"{state.left_score}  {state.right_score}"
    if state.winner is not None:
        return f"{score}  -  {state.winner} wins"
    return score


class _Window(Protocol):
    """The part of a curses window the adapter uses (keeps curses out of import time)."""

    def getmaxyx(self) -> tuple[int, int]: ...
    def getch(self) -> int: ...
    def erase(self) -> None: ...
    def addstr(self, y: int, x: int, text: str, /) -> None: ...
    def insstr(self, y: int, x: int, text: str, /) -> None: ...
    def refresh(self) -> None: ...


class TerminalScreen:
    """Shows frames in a curses window and turns key presses into game actions."""

    def __init__(
        self,
        window: _Window,
        bindings: Mapping[int, Action],
        error: type[Exception] = Exception,
    ) -> None:
        self._window = window
        self._bindings = bindings
        self._error = error

    def size(self) -> tuple[int, int]:
        """Return the window's (columns, rows)."""
        rows, columns = self._window.getmaxyx()
        return columns, rows

    def read_actions(self) -> list[Action]:
        """Return the bound actions of every key waiting in the input queue."""
        actions: list[Action] = []
        while (key := self._window.getch()) != -1:
            action = self._bindings.get(key)
            if action is not None:
                actions.append(action)
        return actions

    def show(self, lines: Sequence[str]) -> None:
        """Draw `lines` from the top-left corner, clipped to the window."""
        columns, rows = self.size()
        self._window.erase()
        for row, line in enumerate(lines[:rows]):
            text = line[:columns]
            try:
                if row == rows - 1:  # addstr fails after writing the bottom-right cell
                    self._window.insstr(row, 0, text)
                else:
                    self._window.addstr(row, 0, text)
            except self._error:  # the window shrank between size() and here
                break
        self._window.refresh()


def run_in_terminal(body: Callable[[TerminalScreen], GameState]) -> GameState:
    """Run `body` on a full-screen curses terminal and restore the terminal however it ends.

    Raises TerminalUnavailableError when curses is missing or cannot start.
    """
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise TerminalUnavailableError("the game needs an interactive terminal; run with --demo")
    try:
        import curses
    except ImportError as error:  # Windows without windows-curses, or a Python built without it
        raise TerminalUnavailableError(
            f"curses is not available ({error}); run with --demo"
        ) from error

    bindings: dict[int, Action] = {
        curses.KEY_UP: "up",
        curses.KEY_DOWN: "down",
        ord("w"): "up",
        ord("W"): "up",
        ord("s"): "down",
        ord("S"): "down",
        ord("q"): "quit",
        ord("Q"): "quit",
    }

    def session(window: curses.window) -> GameState:
        with contextlib.suppress(curses.error):  # a visible cursor is only cosmetic
            curses.curs_set(0)
        window.nodelay(True)
        window.keypad(True)
        return body(TerminalScreen(window, bindings, curses.error))

    # curses trusts exported LINES/COLUMNS over the terminal's real size, and they
    # go stale when the window is resized: hide them while the game runs.
    stale = {name: os.environ.pop(name) for name in ("LINES", "COLUMNS") if name in os.environ}
    try:
        # wrapper() puts the terminal back (echo, cooked mode, main screen) even
        # when body raises, KeyboardInterrupt included.
        return curses.wrapper(session)
    except curses.error as error:
        raise TerminalUnavailableError(f"cannot drive this terminal ({error})") from error
    finally:
        os.environ.update(stale)
