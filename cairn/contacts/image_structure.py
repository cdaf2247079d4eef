"""Where an image file really ends, by walking its structure.

Bytes after that point are how polyglots are made (a picture that is also a
ZIP, a PDF or a script), so evidence refuses them. Each function returns the
offset just past the image's last byte, or None when the structure is broken.
"""

import struct

JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RST0-7 carry no length


def jpeg_end(data: bytes) -> int | None:
    if not data.startswith(b"\xff\xd8"):
        return None
    position = 2
    while position + 2 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:
            return position + 2
        if marker in JPEG_STANDALONE:
            position += 2
            continue
        if position + 4 > len(data):
            return None
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        position += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data until the next real marker
            while position + 1 < len(data):
                if data[position] == 0xFF and data[position + 1] not in (0x00, *range(0xD0, 0xD8)):
                    break
                position += 1
    return None


def png_end(data: bytes) -> int | None:
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    position = 8
    while position + 12 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        position += 12 + length
        if kind == b"IEND":
            return position
    return None


def webp_end(data: bytes) -> int | None:
    if not (data.startswith(b"RIFF") and data[8:12] == b"WEBP"):
        return None
    (size,) = struct.unpack("<I", data[4:8])
    return 8 + size + (size & 1)


def gif_end(data: bytes) -> int | None:
    # Pillow has already decoded every frame; a GIF ends with its trailer byte.
    return len(data) if data.endswith(b"\x3b") else None


IMAGE_END = {
    "image/jpeg": jpeg_end,
    "image/png": png_end,
    "image/webp": webp_end,
    "image/gif": gif_end,
}


def has_trailing_data(data: bytes, content_type: str) -> bool:
    end = IMAGE_END[content_type](data)
    return end is None or len(data) > end
