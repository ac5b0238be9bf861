"""Files the bot writes are its own: the data folder 0700, every file in it 0600.

The database, uploads and exports hold residents' phone numbers and locations; under the
usual umask 022 they would be readable by every account on the machine.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

PRIVATE_UMASK = 0o077
FOLDER_MODE = 0o700
FILE_MODE = 0o600
SQLITE_SIDE_FILES = ("", "-wal", "-shm", "-journal")


def private_umask() -> None:
    """Create everything from now on for this account alone."""
    os.umask(PRIVATE_UMASK)


def tighten(data_dir: Path, database_url: str) -> None:
    """Make the data folder, what it holds and an SQLite database private, as left by older runs."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    _chmod(data_dir, FOLDER_MODE)
    for folder, subfolders, files in os.walk(data_dir):
        for name in subfolders:
            _chmod(Path(folder) / name, FOLDER_MODE)
        for name in files:
            _chmod(Path(folder) / name, FILE_MODE)
    url = make_url(database_url)
    database = url.database
    on_disk = database and database != ":memory:" and not database.startswith("file:")
    if url.get_backend_name() == "sqlite" and database and on_disk:
        for suffix in SQLITE_SIDE_FILES:
            path = Path(database + suffix).expanduser()
            if path.exists():
                _chmod(path, FILE_MODE)


def _chmod(path: Path, mode: int) -> None:
    try:
        if not path.is_symlink() and (path.stat().st_mode & 0o777) != mode:
            path.chmod(mode)
    except OSError as error:
        log.warning("could not make %s private: %s", path, error)
