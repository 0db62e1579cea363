"""What a chat message may carry: text up to a limit, images checked by content.

The image type is read from the file's first bytes (its magic number), never from its
name or the client's claimed content type.
"""

from __future__ import annotations

from dataclasses import dataclass

from kefu.core.shopconfig import ShopConfig

MAX_TEXT_CHARS = 5000


@dataclass(frozen=True)
class ContentError:
    code: str
    message: str


def check_text(text: str) -> ContentError | None:
    """None when `text` can be sent; else why not (the buyer or agent sees the message)."""
    if not text or not text.strip():
        return ContentError("EMPTY", "消息不能为空，请输入内容后再发送")
    if len(text) > MAX_TEXT_CHARS:
        return ContentError(
            "TOO_LONG", f"消息最多 {MAX_TEXT_CHARS} 个字，当前 {len(text)} 个字，请分开发送"
        )
    return None


def sniff_image_type(data: bytes) -> str | None:
    """The MIME type of an image by its magic number, or None when it is not one we know."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_image(data: bytes, shop: ShopConfig) -> tuple[str | None, ContentError | None]:
    """(detected MIME type, error): the shop's `images.types` and `images.max_mb` apply."""
    max_bytes = int(shop.images.max_mb * 1024 * 1024)
    if len(data) > max_bytes:
        return None, ContentError("IMAGE_TOO_LARGE", f"图片不能超过 {shop.images.max_mb:g} MB")
    mime = sniff_image_type(data)
    if mime is None or mime not in shop.images.types:
        allowed = "/".join(t.split("/")[1].upper() for t in shop.images.types)
        return mime, ContentError("IMAGE_TYPE", f"只支持 {allowed} 格式的图片")
    return mime, None
