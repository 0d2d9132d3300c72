"""The installed game in a real pseudo-terminal (tmux): the keys move the paddle, q and
Ctrl-C quit cleanly and give the terminal back, a too-small terminal gets a message."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from copier import run_copy

from tests.conftest import build_wheel

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "game"
TMUX = shutil.which("tmux")
PROMPT = "READY$"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        TMUX is None, reason="tmux is not installed: the game is driven in a tmux pseudo-terminal"
    ),
]


@pytest.fixture(scope="module")
def game(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The console script of a game rendered by plain Copier, built and installed in a venv."""
    root = tmp_path_factory.mktemp("tty")
    settings = root / "copier-settings.yml"
    settings.write_text("{}\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COPIER_SETTINGS_PATH", str(settings))
        run_copy(
            str(TEMPLATE),
            root / "ttygame",
            data={"package": "ttygame"},
            defaults=True,
            unsafe=False,
            quiet=True,
            vcs_ref=None,
        )
    python = sys.executable
    wheel = build_wheel(root / "ttygame", root / "dist")
    subprocess.run(
        [python, "-m", "venv", "--without-pip", str(root / "venv")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    env_python = str(root / "venv" / "bin" / "python")
    install = [python, "-m", "pip", "--python", env_python, "install", "--no-index", "-q"]
    subprocess.run([*install, str(wheel)], check=True, capture_output=True, timeout=120)
    return root / "venv" / "bin" / "ttygame"


class Terminal:
    """A bash shell in a detached tmux pane of a fixed size, on a private tmux server."""

    def __init__(self, socket: Path, columns: int, rows: int) -> None:
        self.socket = socket
        # TERM=screen: a terminfo entry every curses install has.
        shell = f"TERM=screen PS1='{PROMPT} ' bash --norc --noprofile"
        self.tmux("new-session", "-d", "-s", "t", "-x", str(columns), "-y", str(rows), shell)
        self.wait_for(lambda lines: PROMPT in "\n".join(lines), "the shell prompt")

    def tmux(self, *args: str) -> str:
        assert TMUX is not None
        result = subprocess.run(
            [TMUX, "-S", str(self.socket), "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return result.stdout

    def run(self, command: str) -> None:
        self.tmux("send-keys", "-t", "t", "-l", command)
        self.tmux("send-keys", "-t", "t", "Enter")

    def press(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "t", key)
            time.sleep(0.05)  # one key per frame or so, as fingers press them

    def screen(self, *, history: bool = False) -> list[str]:
        """The pane's rows; with `history`, also the rows scrolled off, wrapped lines joined."""
        extra = ["-J", "-S", "-100"] if history else []
        return self.tmux("capture-pane", "-p", "-t", "t", *extra).rstrip("\n").split("\n")

    def alternate_screen(self) -> bool:
        return self.tmux("display-message", "-p", "-t", "t", "#{alternate_on}").strip() == "1"

    def wait_for(
        self,
        condition: Callable[[list[str]], bool],
        what: str,
        timeout: float = 15,
        *,
        history: bool = False,
    ) -> list[str]:
        deadline = time.monotonic() + timeout
        while True:
            lines = self.screen(history=history)
            if condition(lines):
                return lines
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}; the screen shows:\n" + "\n".join(lines))
            time.sleep(0.05)

    def kill(self) -> None:
        subprocess.run(
            [TMUX or "tmux", "-S", str(self.socket), "kill-server"],
            capture_output=True,
            timeout=10,
            check=False,
        )


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Callable[[int, int], Terminal]]:
    opened: list[Terminal] = []

    def open_terminal(columns: int, rows: int) -> Terminal:
        opened.append(Terminal(tmp_path / f"tmux-{len(opened)}.sock", columns, rows))
        return opened[-1]

    yield open_terminal
    for each in opened:
        each.kill()


def _court_on_screen(lines: list[str]) -> bool:
    return len(lines) > 2 and lines[1].startswith("+---") and lines[1].endswith("+")


def _left_paddle_top(lines: list[str]) -> int:
    return min(row for row, line in enumerate(lines) if line[2:3] == "#")


def _paddle_at(row: int) -> Callable[[list[str]], bool]:
    return lambda lines: _left_paddle_top(lines) == row


def _exit_code(lines: list[str]) -> int | None:
    found = re.search(r"^EXIT=(\d+)$", "\n".join(lines), re.MULTILINE)
    return int(found.group(1)) if found else None


def _launch(term: Terminal, game: Path, tmp_path: Path, *args: str, env: str = "") -> None:
    # stty -g before and after: the game must leave the terminal modes as it found them.
    term.run(
        f"stty -g > {tmp_path}/before; {env} {game} {' '.join(args)}; echo EXIT=$?; "
        f"stty -g > {tmp_path}/after"
    )


def _assert_terminal_restored(term: Terminal, tmp_path: Path) -> None:
    lines = term.wait_for(lambda s: s[-1] == PROMPT, "the shell prompt after the game")
    assert not term.alternate_screen()
    assert not any("Traceback" in line for line in lines)
    assert (tmp_path / "before").read_text() == (tmp_path / "after").read_text()


def test_keys_move_the_paddle_and_q_quits(
    game: Path, terminal: Callable[[int, int], Terminal], tmp_path: Path
) -> None:
    term = terminal(80, 24)
    _launch(term, game, tmp_path, "--seed", "1")
    lines = term.wait_for(_court_on_screen, "the court")
    assert term.alternate_screen()
    assert re.fullmatch(r"\d+  \d+", lines[0].strip()), lines[0]
    assert lines[-1].startswith("+---")  # the court fills the 80x24 terminal
    start = _left_paddle_top(lines)

    # One key at a time, each waited for: a loaded machine must not merge presses.
    expected = start
    for key in ("Up", "Up", "w", "W", "Down", "s", "S", "Down", "s"):
        expected += -1 if key in {"Up", "w", "W"} else 1
        term.press(key)
        term.wait_for(_paddle_at(expected), f"{key} to move the paddle to row {expected}")
    assert expected == start + 1

    term.press("q")
    lines = term.wait_for(lambda s: _exit_code(s) is not None, "the game to exit")
    assert _exit_code(lines) == 0
    assert any(re.fullmatch(r"Final score: you \d+, computer \d+", line) for line in lines)
    _assert_terminal_restored(term, tmp_path)


def test_ctrl_c_exits_cleanly(
    game: Path, terminal: Callable[[int, int], Terminal], tmp_path: Path
) -> None:
    term = terminal(80, 24)
    _launch(term, game, tmp_path)
    term.wait_for(_court_on_screen, "the court")
    term.press("C-c")
    lines = term.wait_for(lambda s: _exit_code(s) is not None, "the game to exit")
    assert _exit_code(lines) == 130
    _assert_terminal_restored(term, tmp_path)


def test_the_court_follows_the_window_and_pauses_below_the_smallest(
    game: Path, terminal: Callable[[int, int], Terminal], tmp_path: Path
) -> None:
    term = terminal(80, 24)
    # Exported sizes go stale on resize; curses would believe them over the terminal.
    _launch(term, game, tmp_path, env="COLUMNS=80 LINES=24")
    term.wait_for(_court_on_screen, "the court")
    term.tmux("resize-window", "-t", "t", "-x", "40", "-y", "12")
    term.wait_for(lambda s: _court_on_screen(s) and len(s[1]) == 40, "a 40-column court")
    term.tmux("resize-window", "-t", "t", "-x", "30", "-y", "10")
    term.wait_for(lambda s: s[0].startswith("Too small: 32x11 needed"), "the too-small message")
    term.tmux("resize-window", "-t", "t", "-x", "80", "-y", "24")
    term.wait_for(_court_on_screen, "the court again")
    term.press("q")
    lines = term.wait_for(lambda s: _exit_code(s) is not None, "the game to exit")
    assert _exit_code(lines) == 0
    _assert_terminal_restored(term, tmp_path)


def test_too_small_terminal_gets_a_one_line_message(
    game: Path, terminal: Callable[[int, int], Terminal], tmp_path: Path
) -> None:
    term = terminal(20, 5)
    _launch(term, game, tmp_path)
    lines = term.wait_for(lambda s: _exit_code(s) is not None, "the game to exit", history=True)
    assert _exit_code(lines) == 1
    message = next(line for line in lines if "ttygame:" in line)
    assert "20x5" in message and "at least 32x11" in message
    _assert_terminal_restored(term, tmp_path)
