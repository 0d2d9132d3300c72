"""Game logic: the state, ball and paddle physics, scoring, the computer player and main()."""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, Protocol

# The right way for a module to reach its sibling: a relative import resolved
# against this package. A bare `from draw import draw_game` only works when the
# package folder itself happens to be on sys.path.
from .draw import TerminalUnavailableError, court_size, draw_game, frame_size, run_in_terminal

__all__ = [
    "AI_SPEED",
    "COURT_HEIGHT",
    "COURT_WIDTH",
    "FPS",
    "KEY_BUFFER",
    "MIN_COURT_HEIGHT",
    "MIN_COURT_WIDTH",
    "PADDLE_HEIGHT",
    "SERVE_DELAY",
    "WINNING_SCORE",
    "Action",
    "Ball",
    "GameState",
    "Inputs",
    "Screen",
    "Side",
    "TerminalTooSmallError",
    "ai_command",
    "main",
    "new_game",
    "play",
    "resize",
    "run_demo",
    "step",
]

Side = Literal["left", "right"]
Action = Literal["up", "down", "quit"]

FPS = 30
"""Fixed updates per second; every speed below is per update."""
COURT_WIDTH = 60
COURT_HEIGHT = 18
MIN_COURT_WIDTH = 30
MIN_COURT_HEIGHT = 8
MAX_COURT_WIDTH = 100
MAX_COURT_HEIGHT = 30
PADDLE_HEIGHT = 4
PADDLE_SPEED = 1.0
"""Rows a paddle moves in one update at full command."""
KEY_BUFFER = 3
"""Key presses that may wait for later updates: a burst of presses is not lost."""
AI_SPEED = 0.5
"""Share of PADDLE_SPEED the computer uses: slower than the ball's steepest angle."""
AI_SIGHT = 0.5
"""The computer follows the ball only once it is this close (share of the court width)."""
BALL_SPEED = 0.75
BALL_MAX_SPEED = 1.5
BALL_SPEEDUP = 1.05
BALL_MAX_SLOPE = 0.8
"""Rows per update the ball gets from hitting a paddle at its very edge."""
SERVE_DELAY = 15
WINNING_SCORE = 11


@dataclass(frozen=True)
class Ball:
    """The ball's position (columns, rows inside the court) and velocity per update."""

    x: float
    y: float
    dx: float
    dy: float


@dataclass(frozen=True)
class GameState:
    """Everything about a game at one instant; `step` returns the next one."""

    width: int
    height: int
    ball: Ball
    left: float
    """Top row of the left paddle."""
    right: float
    """Top row of the right paddle."""
    left_score: int = 0
    right_score: int = 0
    seed: int = 0
    serves: int = 0
    """Serves so far; with the seed it decides the next serve, so games replay exactly."""
    serve_timer: int = 0
    """Updates left before the served ball starts moving."""
    frame: int = 0
    paddle_height: int = PADDLE_HEIGHT
    winning_score: int = WINNING_SCORE

    @property
    def left_column(self) -> int:
        """Column of the left paddle (one free column behind it)."""
        return 1

    @property
    def right_column(self) -> int:
        """Column of the right paddle."""
        return self.width - 2

    @property
    def winner(self) -> Side | None:
        """The side that reached the winning score, if any."""
        if self.left_score >= self.winning_score:
            return "left"
        if self.right_score >= self.winning_score:
            return "right"
        return None


@dataclass(frozen=True)
class Inputs:
    """Paddle commands for one update, each from -1.0 (full speed up) to 1.0 (down)."""

    left: float = 0.0
    right: float = 0.0


class TerminalTooSmallError(Exception):
    """The terminal cannot hold the smallest court."""

    def __init__(self, columns: int, rows: int) -> None:
        need_columns, need_rows = frame_size(MIN_COURT_WIDTH, MIN_COURT_HEIGHT)
        super().__init__(
            f"the terminal is {columns}x{rows} but the game needs at least "
            f"{need_columns}x{need_rows}; enlarge the window or run with --demo"
        )


class Screen(Protocol):
    """What `play` needs from a terminal: its size, the keys pressed, a way to show a frame."""

    def size(self) -> tuple[int, int]:
        """Return (columns, rows)."""
        ...

    def read_actions(self) -> list[Action]:
        """Return the actions pressed since the last call, without waiting."""
        ...

    def show(self, lines: Sequence[str]) -> None:
        """Replace the screen with these lines."""
        ...


def new_game(
    seed: int = 0,
    width: int = COURT_WIDTH,
    height: int = COURT_HEIGHT,
    winning_score: int = WINNING_SCORE,
) -> GameState:
    """Return a fresh game on a `width` x `height` court with the first serve pending."""
    if width < MIN_COURT_WIDTH or height < MIN_COURT_HEIGHT:
        raise ValueError(
            f"a court must be at least {MIN_COURT_WIDTH}x{MIN_COURT_HEIGHT}, not {width}x{height}"
        )
    top = (height - PADDLE_HEIGHT) / 2
    centre = Ball(x=(width - 1) / 2, y=(height - 1) / 2, dx=0.0, dy=0.0)
    state = GameState(
        width=width,
        height=height,
        ball=centre,
        left=top,
        right=top,
        seed=seed,
        winning_score=winning_score,
    )
    return _serve(state, toward=None)


def resize(state: GameState, width: int, height: int) -> GameState:
    """Return `state` on a `width` x `height` court: the ball and the paddles keep their
    place in proportion, the score and the serve carry on."""
    if width < MIN_COURT_WIDTH or height < MIN_COURT_HEIGHT:
        raise ValueError(
            f"a court must be at least {MIN_COURT_WIDTH}x{MIN_COURT_HEIGHT}, not {width}x{height}"
        )
    across, down = (width - 1) / (state.width - 1), (height - 1) / (state.height - 1)
    ball = state.ball
    moved = Ball(
        x=min(max(ball.x * across, 0.0), width - 1.0),
        y=min(max(ball.y * down, 0.0), height - 1.0),
        dx=ball.dx,
        dy=ball.dy,
    )
    lowest = float(height - state.paddle_height)

    def paddle(top: float) -> float:
        return min(max(top * lowest / max(state.height - state.paddle_height, 1), 0.0), lowest)

    return replace(
        state,
        width=width,
        height=height,
        ball=moved,
        left=paddle(state.left),
        right=paddle(state.right),
    )


def step(state: GameState, inputs: Inputs) -> GameState:
    """Advance the game by one fixed update: move the paddles, then the ball."""
    if state.winner is not None:
        return state
    state = replace(
        state,
        left=_move_paddle(state, state.left, inputs.left),
        right=_move_paddle(state, state.right, inputs.right),
        frame=state.frame + 1,
    )
    if state.serve_timer > 0:
        return replace(state, serve_timer=state.serve_timer - 1)
    return _move_ball(state)


def ai_command(state: GameState, side: Side) -> float:
    """Steer `side`'s paddle toward an approaching ball, or back to the middle."""
    ball = state.ball
    if side == "left":
        top, column, approaching = state.left, state.left_column, ball.dx < 0
    else:
        top, column, approaching = state.right, state.right_column, ball.dx > 0
    near = abs(ball.x - column) <= state.width * AI_SIGHT
    target = ball.y + 0.5 if approaching and near else state.height / 2
    gap = target - (top + state.paddle_height / 2)
    if abs(gap) <= AI_SPEED * PADDLE_SPEED:
        return 0.0
    return AI_SPEED if gap > 0 else -AI_SPEED


def run_demo(frames: int, seed: int = 0) -> GameState:
    """Play `frames` updates with the computer on both paddles; return the final state."""
    state = new_game(seed)
    for _ in range(frames):
        state = step(state, Inputs(ai_command(state, "left"), ai_command(state, "right")))
    return state


def play(
    screen: Screen,
    seed: int,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> GameState:
    """Play on `screen` until the player quits: left paddle by keys, right by the computer.

    The court fills the screen and follows it when the window is resized, down to
    the smallest court; while the screen is smaller than that, the game pauses.
    """
    columns, rows = screen.size()
    width, height = court_size(columns, rows)
    if width < MIN_COURT_WIDTH or height < MIN_COURT_HEIGHT:
        raise TerminalTooSmallError(columns, rows)
    state = new_game(seed, min(width, MAX_COURT_WIDTH), min(height, MAX_COURT_HEIGHT))
    pending = 0  # rows the player asked for and the paddle has not moved yet
    tick = 1 / FPS
    deadline = clock()
    while True:
        actions = screen.read_actions()
        if "quit" in actions:
            return state
        # Each press moves the paddle one row; presses that arrive together are
        # spread over the next updates so the paddle keeps its top speed.
        pending += actions.count("down") - actions.count("up")
        pending = max(-KEY_BUFFER, min(KEY_BUFFER, pending))
        columns, rows = screen.size()
        state = _fit(state, columns, rows)
        need_columns, need_rows = frame_size(state.width, state.height)
        if columns >= need_columns and rows >= need_rows:
            player = (pending > 0) - (pending < 0)
            pending -= player
            state = step(state, Inputs(left=player, right=ai_command(state, "right")))
        screen.show(draw_game(state, columns, rows))
        deadline += tick
        delay = deadline - clock()
        if delay > 0:
            sleep(delay)
        else:  # fell behind (a slow terminal): carry on from now rather than rush
            deadline = clock()


def _fit(state: GameState, columns: int, rows: int) -> GameState:
    """`state` on the court a `columns` x `rows` screen holds, within the court limits
    (below the smallest, the frame says how much room it needs)."""
    width, height = court_size(columns, rows)
    width = max(MIN_COURT_WIDTH, min(width, MAX_COURT_WIDTH))
    height = max(MIN_COURT_HEIGHT, min(height, MAX_COURT_HEIGHT))
    if (width, height) == (state.width, state.height):
        return state
    return resize(state, width, height)


def main(argv: list[str] | None = None) -> int:
    """Run the command line: play in the terminal, or `--demo` without one."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.frames is not None and not args.demo:
        parser.error("--frames only applies to --demo")
    if args.demo:
        frames: int = 600 if args.frames is None else args.frames
        seed: int = 0 if args.seed is None else args.seed
        state = run_demo(frames, seed)
        frame = draw_game(state, *frame_size(state.width, state.height))
        print("\n".join(line.rstrip() for line in frame))
        print(_score_line(state, frames, seed))
        return 0
    seed = random.randrange(2**32) if args.seed is None else args.seed
    try:
        state = run_in_terminal(lambda screen: play(screen, seed))
    except (TerminalTooSmallError, TerminalUnavailableError) as error:
        print(f"{parser.prog}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    print(f"Final score: you {state.left_score}, computer {state.right_score}")
    return 0


def _move_paddle(state: GameState, top: float, command: float) -> float:
    command = max(-1.0, min(1.0, command))
    return max(0.0, min(float(state.height - state.paddle_height), top + command * PADDLE_SPEED))


def _move_ball(state: GameState) -> GameState:
    ball = state.ball
    x = ball.x + ball.dx
    y, dy = _bounce(ball.y + ball.dy, ball.dy, state.height - 1)
    # A paddle is hit when the ball would enter the paddle's column this update,
    # checked by crossing rather than by landing so that a fast ball cannot tunnel.
    left_face = state.left_column + 1
    if ball.dx < 0 and x < left_face <= ball.x and _covers(state.left, y, state):
        return replace(state, ball=_return_ball(ball, state.left, y, state, float(left_face)))
    right_face = state.right_column
    if ball.dx > 0 and ball.x < right_face <= x and _covers(state.right, y, state):
        return replace(state, ball=_return_ball(ball, state.right, y, state, right_face - 1.0))
    if x < 0:
        return _point(state, scorer="right")
    if x > state.width - 1:
        return _point(state, scorer="left")
    return replace(state, ball=Ball(x, y, ball.dx, dy))


def _bounce(y: float, dy: float, bottom: int) -> tuple[float, float]:
    if y < 0:
        return -y, -dy
    if y > bottom:
        return 2 * bottom - y, -dy
    return y, dy


def _covers(top: float, y: float, state: GameState) -> bool:
    first = math.floor(top)
    return first <= math.floor(y) < first + state.paddle_height


def _return_ball(ball: Ball, top: float, y: float, state: GameState, x: float) -> Ball:
    # Where the ball meets the paddle sets its new slope: the edges send it
    # steeply away, the middle nearly flat, never exactly flat.
    offset = (math.floor(y) - math.floor(top) + 0.5) / state.paddle_height
    speed = min(abs(ball.dx) * BALL_SPEEDUP, BALL_MAX_SPEED)
    return Ball(x, y, speed if ball.dx < 0 else -speed, (2 * offset - 1) * BALL_MAX_SLOPE)


def _point(state: GameState, scorer: Side) -> GameState:
    if scorer == "left":
        state = replace(state, left_score=state.left_score + 1)
        return _serve(state, toward="right")
    state = replace(state, right_score=state.right_score + 1)
    return _serve(state, toward="left")


def _serve(state: GameState, toward: Side | None) -> GameState:
    # A string seed is hashed with SHA-512 by `random`, the same on every
    # platform and Python version: the same seed always replays the same game.
    rng = random.Random(f"{state.seed}/{state.serves}")
    if toward is None:
        toward = rng.choice(("left", "right"))
    slope = rng.choice((-0.5, -0.25, 0.25, 0.5)) * BALL_MAX_SLOPE
    ball = Ball(
        x=(state.width - 1) / 2,
        y=(state.height - 1) / 2,
        dx=-BALL_SPEED if toward == "left" else BALL_SPEED,
        dy=slope,
    )
    return replace(state, ball=ball, serves=state.serves + 1, serve_timer=SERVE_DELAY)


def _score_line(state: GameState, frames: int, seed: int) -> str:
    line = f"Score: left {state.left_score}, right {state.right_score}"
    if state.winner is not None:
        line += f" ({state.winner} wins)"
    return f"{line} after {frames} frames (seed {seed})"


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _program_name() -> str:
    name = Path(sys.argv[0]).name
    return f"python -m {__package__}" if name == "__main__.py" else name


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_program_name(),
        description=(
            "Play ping-pong in the terminal: arrow keys or W/S move your paddle (left), "
            "q quits. The computer plays the right paddle."
        ),
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="let the computer play both paddles without a terminal and print the final frame",
    )
    parser.add_argument(
        "--frames",
        type=_positive_int,
        metavar="N",
        help=f"updates to play in --demo (default 600, {FPS} per second of game)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        metavar="S",
        help="seed for the serves: the same seed replays the same game (--demo default 0)",
    )
    return parser
