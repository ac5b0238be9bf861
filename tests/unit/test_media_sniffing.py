"""Web chat uploads are pictures only when they decode as one, whatever their first bytes."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.channels.webchat.media import MediaStore, image_size, sniff_type
from services.meetings.materials import file_name


def picture(kind: str, size: tuple[int, int] = (7, 5)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, kind)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("kind", "mime_type"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp"), ("GIF", "image/gif")],
)
def test_pictures_are_known_with_their_size(kind: str, mime_type: str) -> None:
    data = picture(kind)
    assert sniff_type(data) == mime_type
    assert image_size(data) == (7, 5)


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xd8\xff\xe0" + b"\x00" * 64,
        b"\x89PNG\r\n\x1a\n" + b"not a png at all" * 4,
        b"RIFF\x10\x00\x00\x00WEBPVP8X" + b"\x00" * 20,
        b"GIF89a" + b"\x00" * 20,
        picture("PNG")[:40],  # a real header, cut short
        picture("JPEG", (64, 64))[:-200],
    ],
)
def test_magic_bytes_alone_make_no_picture(data: bytes) -> None:
    assert sniff_type(data) == "application/octet-stream"
    assert image_size(data) == (0, 0)


def test_documents_keep_their_type() -> None:
    assert sniff_type(b"%PDF-1.7 minutes") == "application/pdf"
    stored = MediaStore.describe(picture("WEBP", (30, 20)), name="../x.webp")
    assert (stored.mime_type, stored.width, stored.height, stored.name) == (
        "image/webp",
        30,
        20,
        "x.webp",
    )
    assert stored.is_photo
    assert not MediaStore.describe(b"\xff\xd8\xff" + b"0" * 100).is_photo


def test_names_lose_folders_and_control_characters_but_keep_their_extension() -> None:
    long_name = "会" * 300 + ".xlsx"
    stored = MediaStore.describe(b"x", name=f"C:\\fake\\{long_name}")
    assert stored.name.endswith(".xlsx") and len(stored.name) == 100
    assert MediaStore.describe(b"x", name="a\r\nb.txt").name == "ab.txt"
    assert MediaStore.describe(b"x", name="../").name == "file"


def test_kept_files_get_an_extension_from_their_type() -> None:
    assert file_name("materials", "application/pdf") == "materials.pdf"
    assert file_name("../议程.docx", "application/octet-stream") == "议程.docx"
    assert file_name("a" * 200 + ".pptx", "x").endswith(".pptx")
