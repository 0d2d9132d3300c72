"""Who writes a new project and where it lives: author, email and repository URL defaults."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

__all__ = ["EMAIL_PATTERN", "REPOSITORY_PATTERN", "git_defaults", "repository_url"]

#: An address core metadata can carry: one `@`, no spaces, no characters that would
#: break the `Name <address>` form hatchling writes. The templates' validators agree.
EMAIL_PATTERN = re.compile(r'^[^@\s<>,;:"()]+@[^@\s<>,;:"()]+[.][^@\s<>,;:"()]+$')
#: A web address for [project.urls]: https or http, a host, no credentials, no spaces.
REPOSITORY_PATTERN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s@]*)?$")

# `git@host:org/repo.git` and `ssh://git@host[:port]/org/repo.git`: the forms a clone's
# origin takes besides https.
_SCP_REMOTE = re.compile(r"^[A-Za-z0-9._-]+@(?P<host>[A-Za-z0-9.-]+):(?P<path>[^\s]+)$")
_URL_REMOTE = re.compile(
    r"^(?:ssh|git|https?)://(?:[^@/\s]+@)?(?P<host>[A-Za-z0-9.-]+)(?::[0-9]+)?/(?P<path>[^\s]+)$"
)


# The keys git_defaults reads, as `git config` names them (section and key in lower case,
# the subsection as written).
_KEYS = r"^(user\.name|user\.email|remote\.origin\.url)$"


def _git_config(folder: Path) -> dict[str, str]:
    """user.name, user.email and remote.origin.url as `git config --get` reads each (the
    last value wins), in one git run: {} when git is missing, fails or knows none."""
    try:
        proc = subprocess.run(
            ["git", "config", "-z", "--get-regexp", _KEYS],
            cwd=folder,
            capture_output=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    values: dict[str, str] = {}
    if proc.returncode == 0:  # 1: none of the keys is set
        for entry in proc.stdout.split(b"\0"):
            key, _, value = entry.partition(b"\n")  # -z: the key, a newline, the value
            try:
                values[key.decode()] = value.decode().strip()
            except UnicodeDecodeError:  # not text a project file can hold: no default
                values.pop(key.decode(errors="replace"), None)
    return values


def repository_url(remote: str) -> str:
    """The https address of a git remote (`git@github.com:o/r.git` -> `https://github.com/o/r`).

    Credentials in the remote (`https://user:token@host/...`) are dropped, never
    written into a project; a remote that is not on a web host (a path, `file://`)
    gives "".
    """
    match = _SCP_REMOTE.match(remote) or _URL_REMOTE.match(remote)
    if not match:
        return ""
    path = match["path"].strip("/").removesuffix(".git").strip("/")
    url = f"https://{match['host']}/{path}"
    return url if path and REPOSITORY_PATTERN.match(url) else ""


def _existing_folder(path: Path) -> Path:
    """`path` or its nearest existing parent: git runs there before the project exists.

    A name the system refuses (too long, say) is not a folder here; generation itself
    reports it, in its own words.
    """
    for folder in (path, *path.parents):
        try:
            if folder.is_dir():
                return folder
        except OSError:
            continue
    return Path.cwd()


def _plain(text: str) -> str:
    """`text` on one line: git config values may hold anything; templates take one line."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def git_defaults(destination: Path) -> dict[str, str]:
    """Defaults git knows for a project at `destination`: `author` (user.name), `email`
    (user.email) and `repository` (the https address of the enclosing repository's
    `origin`), each only when git has a usable value. Answers given override them."""
    config = _git_config(_existing_folder(destination))
    defaults: dict[str, str] = {}
    if author := _plain(config.get("user.name", "")):
        defaults["author"] = author
    email = _plain(config.get("user.email", ""))
    if EMAIL_PATTERN.match(email):
        defaults["email"] = email
    if url := repository_url(config.get("remote.origin.url", "")):
        defaults["repository"] = url
    return defaults
