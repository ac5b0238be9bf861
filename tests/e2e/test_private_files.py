"""The running bot keeps its files to itself: the data folder 0700, every file in it 0600,
whatever umask it was started with and however an older version left the folder."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.browser.conftest import ROOT
from tests.browser.test_webchat import tiny_png
from tests.conftest import START
from tests.support.processes import free_port, wait_healthy


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def upload(base: str, cookie: str, data: bytes) -> int:
    boundary = "liaisonboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{base}/webchat/upload",
        data=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": cookie,
            "Origin": base,
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status)


def test_data_folder_and_files_are_private(tmp_path: Path) -> None:
    data = tmp_path / "var"
    data.mkdir(mode=0o755)
    (data / "old-export.json").write_text("{}")
    os.chmod(data, 0o755)
    os.chmod(data / "old-export.json", 0o644)
    port = free_port()
    env = {
        **os.environ,
        "LIAISON_DATABASE_URL": f"sqlite+aiosqlite:///{data / 'liaison.db'}",
        "LIAISON_DATA_DIR": str(data),
        "LIAISON_CLOCK_START": START.isoformat(),
    }
    env.pop("LIAISON_TELEGRAM_TOKEN", None)
    log = tmp_path / "server.log"
    previous = os.umask(0o022)
    try:
        with log.open("w") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run", "--host", "127.0.0.1", "--port", str(port)],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
    finally:
        os.umask(previous)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process, log)
        with urllib.request.urlopen(f"{base}/", timeout=5) as response:
            cookie = response.headers["Set-Cookie"].split(";")[0]
        assert upload(base, cookie, tiny_png(tmp_path / "p.png").read_bytes()) == 200
        files = [path for path in data.rglob("*") if path.is_file()]
        folders = [data, *(path for path in data.rglob("*") if path.is_dir())]
        assert any(path.name.endswith("-wal") for path in files)  # checked while running
        assert len(files) >= 4  # the old export, the database, its log, the upload
        assert {path.name: oct(mode(path)) for path in files if mode(path) != 0o600} == {}
        assert {path.name: oct(mode(path)) for path in folders if mode(path) != 0o700} == {}
    finally:
        process.terminate()
        process.wait(timeout=20)
