"""Real files for the upload tests, made with Pillow: photos with EXIF GPS as phones write
them (an iPhone's HEIC too, encoded by pillow-heif, a test-only package: the project
itself only decodes HEIC), a photo too large to accept, a Windows program renamed to .jpg."""

from __future__ import annotations

import random
from io import BytesIO

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112
# Shanghai, as a phone camera writes it.
GPS = {1: "N", 2: (31.0, 14.0, 2.5), 3: "E", 4: (121.0, 28.0, 1.0)}
XMP_WITH_GPS = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="31,14.5N"'
    b' exif:GPSLongitude="121,28.0E"/></rdf:RDF></x:xmpmeta>'
)
# The first bytes of a Windows executable (DOS header "MZ" and stub), then padding.
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"This program cannot be run in DOS mode.\r\n"
    + bytes(4096)
)


def photo(
    fmt: str = "JPEG", *, size: tuple[int, int] = (64, 48), gps: bool = True, orientation: int = 6
) -> bytes:
    """A small photo in ``fmt`` with camera EXIF (orientation, maker) and, by default, GPS."""
    image = Image.new("RGB", size, (200, 30, 30))
    out = BytesIO()
    image.save(out, fmt, exif=camera_exif(orientation, gps=gps).tobytes(), xmp=XMP_WITH_GPS)
    return out.getvalue()


def camera_exif(orientation: int = 6, *, gps: bool = True) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "TestPhone"
    if gps:
        exif[GPS_IFD] = GPS
    return exif


def two_tone(size: tuple[int, int] = (64, 48)) -> Image.Image:
    """Red on the left, blue on the right: shows which way a photo was turned."""
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    return image


def heic_photo(*, orientation: int = 6, gps: bool = True) -> bytes:
    """``two_tone()`` as a phone's HEIC photo: HEVC in a HEIF container with camera EXIF
    (orientation, maker, by default GPS) and XMP with the location."""
    import pillow_heif

    out = BytesIO()
    pillow_heif.from_pillow(two_tone()).save(
        out, quality=90, exif=camera_exif(orientation, gps=gps).tobytes(), xmp=XMP_WITH_GPS
    )
    return out.getvalue()


def large_photo(min_bytes: int = 6 * 1024 * 1024) -> bytes:
    """A real PNG of noise, at least ``min_bytes`` (6 MB) long."""
    side = 1500
    rng = random.Random(14)
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    out = BytesIO()
    image.save(out, "PNG", compress_level=0)
    data = out.getvalue()
    assert len(data) >= min_bytes
    return data


def truncated_jpeg() -> bytes:
    """A JPEG cut off half way: the right magic bytes, an image that does not decode."""
    data = photo("JPEG", size=(400, 300), gps=False)
    return data[: len(data) // 3]
