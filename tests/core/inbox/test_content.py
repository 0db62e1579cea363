from kefu.core.inbox.content import MAX_TEXT_CHARS, check_image, check_text, sniff_image_type
from kefu.core.shopconfig import DEFAULT_SHOP, build_shop_config

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 16


def test_text_limits() -> None:
    assert check_text("亲，在的😊") is None
    assert check_text("   ").code == "EMPTY"
    assert check_text("好" * MAX_TEXT_CHARS) is None
    error = check_text("好" * (MAX_TEXT_CHARS + 1))
    assert error is not None and error.code == "TOO_LONG"


def test_image_type_is_read_from_content_not_name() -> None:
    assert sniff_image_type(PNG) == "image/png"
    assert sniff_image_type(JPEG) == "image/jpeg"
    assert sniff_image_type(WEBP) == "image/webp"
    assert sniff_image_type(b"GIF89a....") == "image/gif"
    assert sniff_image_type(b"<script>alert(1)</script>") is None


def test_image_checked_against_shop_config() -> None:
    assert check_image(PNG, DEFAULT_SHOP) == ("image/png", None)
    mime, error = check_image(b"%PDF-1.7", DEFAULT_SHOP)
    assert mime is None and error is not None and error.code == "IMAGE_TYPE"
    only_jpeg = build_shop_config({"images": {"types": ["image/jpeg"]}})
    assert check_image(PNG, only_jpeg)[1].code == "IMAGE_TYPE"
    tiny = build_shop_config({"images": {"max_mb": 0.00001}})
    assert check_image(PNG, tiny)[1].code == "IMAGE_TOO_LARGE"
