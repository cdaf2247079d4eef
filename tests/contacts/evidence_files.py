"""Real files for evidence tests, made on the spot (no binary fixtures in the repo)."""

import io
import struct
import zipfile
import zlib

from PIL import Image


def jpeg(with_metadata: bool = True, size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    if with_metadata:
        exif[0x010F] = "Cairn Test Camera"  # Make
        exif[0x0132] = "2026:11:24 03:12:00"  # DateTime
        exif[0x8825] = {1: "N", 2: (55.0, 57.0, 12.0), 3: "W", 4: (3.0, 11.0, 30.0)}  # GPS
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return output.getvalue()


def png(size=(32, 32)) -> bytes:
    output = io.BytesIO()
    Image.new("RGBA", size, (0, 100, 200, 255)).save(output, format="PNG")
    return output.getvalue()


def png_bomb(width=60_000, height=60_000) -> bytes:
    """A tiny PNG that claims 3.6 billion pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\x00" * 1000)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def zip_archive() -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.txt", "0" * 10_000_000)
    return output.getvalue()


def pdf(extra: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R " + extra + b">> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
