"""A cache file's parts, as the tests that forge or damage one read and write them: the head
(format line, fingerprint), the lead (a sample of the stat index, the stored report, the
back part's checksum), the front part (stat index, facts digests), the back part (entries,
analysis); the lead and the front each after its checksum and length."""

from __future__ import annotations

import zlib

_PART = 16 + 8  # a part's checksum (a CRC, as store.py writes it) and length


def checksum(data: bytes) -> bytes:
    """The cache's own checksum of a part."""
    return zlib.crc32(data).to_bytes(16, "little")


def split(blob: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    """A cache file as (head, lead, front part, back part)."""
    head = blob.index(b"\n") + 1 + 16  # the format line and the fingerprint
    lead_length = int.from_bytes(blob[head + 16 : head + _PART], "little")
    front_at = head + _PART + lead_length
    length = int.from_bytes(blob[front_at + 16 : front_at + _PART], "little")
    front = blob[front_at + _PART : front_at + _PART + length]
    return blob[:head], blob[head + _PART : front_at], front, blob[front_at + _PART + length :]


def join(head: bytes, lead: bytes, front: bytes, back: bytes) -> bytes:
    """`split`'s inverse, with valid checksums."""
    parts = [head]
    for part in (lead, front):
        parts += [checksum(part), len(part).to_bytes(8, "little"), part]
    return b"".join([*parts, back])


def back_offset(blob: bytes) -> int:
    """Where the back part starts."""
    head, lead, front, _ = split(blob)
    return len(head) + 2 * _PART + len(lead) + len(front)
