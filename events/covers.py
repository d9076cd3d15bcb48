"""Cover images uploaded by organizers: checked by decoding them (never by their
name), re-encoded at a few widths as WebP and JPEG without any metadata, and
kept in the default file storage (the filesystem locally, S3-compatible object
storage in production; see settings.STORAGES)."""

import io
import logging
import secrets
import warnings
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Larger pictures are refused before they are decoded: a small file can unpack
# into gigabytes (a decompression bomb). 40 megapixels is a 7,700×5,200 photo.
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
# The widths of the copies kept; pages choose with srcset.
WIDTHS = (480, 960, 1440)
FORMATS = {
    "webp": ("WEBP", {"quality": 80, "method": 4}),
    "jpg": ("JPEG", {"quality": 82, "optimize": True, "progressive": True}),
}
FOLDER = "covers"


class CoverStorageError(Exception):
    """The file storage could not store or read the cover (e.g. an outage)."""


@dataclass
class Cover:
    """A validated cover, re-encoded: {(width, extension): bytes}, and its largest size."""

    width: int
    height: int
    files: dict = field(default_factory=dict)


def widths_for(largest):
    return [width for width in WIDTHS if width < largest] + [largest]


def variant_name(prefix, width, extension):
    return f"{prefix}-{width}.{extension}"


def variant_names(prefix, largest):
    return [
        variant_name(prefix, width, extension)
        for width in widths_for(largest)
        for extension in FORMATS
    ]


def process_upload(upload):
    """A Cover from an uploaded file, or a ValidationError saying what is wrong."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The image is too large: at most %(max)s MB."),
            code="too_large",
            params={"max": MAX_UPLOAD_BYTES // (1024 * 1024)},
        )
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise _not_an_image()
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(
                    _("The image has too many pixels: at most %(max)s megapixels."),
                    code="too_many_pixels",
                    params={"max": MAX_PIXELS // 1_000_000},
                )
            image.load()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as error:
        logger.info("cover image refused: %s", type(error).__name__)
        raise _not_an_image() from None
    return _reencode(image)


def _not_an_image():
    return ValidationError(
        _("This file is not a JPEG, PNG or WebP image, or it is damaged."), code="invalid_image"
    )


def _reencode(image):
    # Turned as the camera meant; then only pixels are kept: no EXIF (places,
    # camera serial numbers), no comments, no colour profile.
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image = image.convert("RGB")
    # Pillow carries some of it (a JPEG comment) from image to copy to saved file.
    image.info = {}
    largest = min(image.width, WIDTHS[-1])
    cover = Cover(width=largest, height=round(image.height * largest / image.width))
    for width in widths_for(largest):
        height = max(1, round(image.height * width / image.width))
        resized = image.resize((width, height), Image.Resampling.LANCZOS)
        for extension, (pil_format, options) in FORMATS.items():
            output = io.BytesIO()
            resized.save(output, pil_format, **options)
            cover.files[(width, extension)] = output.getvalue()
    return cover


def store(cover):
    """Save a cover's files under a new, unguessable name; returns that name (its prefix).

    Raises CoverStorageError when the storage fails; nothing is left behind then.
    """
    prefix = f"{FOLDER}/{secrets.token_urlsafe(12)}"
    saved = []
    try:
        for (width, extension), content in cover.files.items():
            name = variant_name(prefix, width, extension)
            default_storage.save(name, ContentFile(content))
            saved.append(name)
    except Exception as error:
        logger.error("cover image could not be stored: %s", type(error).__name__)
        delete_files(saved)
        raise CoverStorageError from error
    return prefix


def delete_files(names):
    """Remove files; a failure leaves orphans behind (logged), never an error for the visitor."""
    for name in names:
        try:
            default_storage.delete(name)
        except Exception as error:
            logger.warning("cover image file not deleted: %s", type(error).__name__)


def sources(prefix, largest):
    """{extension: [(url, width), ...]} of a stored cover, for srcset."""
    return {
        extension: [
            (default_storage.url(variant_name(prefix, width, extension)), width)
            for width in widths_for(largest)
        ]
        for extension in FORMATS
    }
