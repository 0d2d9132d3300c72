"""scaffold.files: the writers never replace what is not a regular file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from scaffold.files import write_atomically


def test_a_fifo_something_reads_is_written_into_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "out"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # `-o >(cmd)`: cmd is reading
    try:
        write_atomically(fifo, b"the report\n", 0o644)
        assert os.read(reader, 100) == b"the report\n"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_fifo_nobody_reads_is_replaced_not_waited_on(tmp_path: Path) -> None:
    """A FIFO left where scaffold keeps its own file (the cache) must not hang the run."""
    fifo = tmp_path / "check.bin"
    os.mkfifo(fifo)
    write_atomically(fifo, b"cache", 0o644)
    assert fifo.read_bytes() == b"cache" and stat.S_ISREG(os.lstat(fifo).st_mode)


def test_a_device_is_written_into_not_replaced(tmp_path: Path) -> None:
    """`-o /dev/null` run as root replaced the device with a regular file."""
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a /dev/null of our own
    except PermissionError:
        pytest.skip("creating a device node needs CAP_MKNOD")
    write_atomically(null, b"discarded\n", 0o644)
    info = os.lstat(null)
    assert stat.S_ISCHR(info.st_mode) and info.st_rdev == os.makedev(1, 3)
    assert [p.name for p in tmp_path.iterdir()] == ["null"]


def test_a_regular_file_is_still_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "cache.bin"
    path.write_bytes(b"old")
    inode = os.stat(path).st_ino
    write_atomically(path, b"new", 0o644)
    assert path.read_bytes() == b"new"
    assert os.stat(path).st_ino != inode  # a new file renamed into place
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644


def test_parts_are_written_in_turn_as_one_file(tmp_path: Path) -> None:
    """The check's cache is written as parts, never joined in memory (issue 21)."""
    path = tmp_path / "cache.bin"
    path.write_bytes(b"old")
    write_atomically(path, (b"head", memoryview(b"-front-"), b"", b"back"))
    assert path.read_bytes() == b"head-front-back"
    fifo = tmp_path / "out"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_atomically(fifo, (b"the ", b"report\n"))
        assert os.read(reader, 100) == b"the report\n"
    finally:
        os.close(reader)
