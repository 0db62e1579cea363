"""The UI's message catalogue: zh-CN first, English second.

Templates call `t("key")`; the language is chosen per request from the user's preference,
then the `Accept-Language` header, and falls back to zh-CN (the people using kefu read
Chinese). A key missing from a catalogue falls back to zh-CN, then to the key itself, so a
forgotten translation shows up as a readable key instead of an error page.

The entries live in the package's modules, one per area of the product (`base`, and one
for each desk or page added since), each defining `ZH` and `EN`; they are merged here. A
key defined twice is a programming error and refused at import.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

DEFAULT_LANG = "zh-CN"
LANGS = ("zh-CN", "en")


def _load() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {"zh-CN": {}, "en": {}}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for lang, entries in (("zh-CN", module.ZH), ("en", module.EN)):
            twice = merged[lang].keys() & entries.keys()
            if twice:
                raise ValueError(f"i18n keys defined twice: {sorted(twice)[:5]}")
            merged[lang].update(entries)
    return merged


MESSAGES: dict[str, dict[str, str]] = _load()


def normalize_lang(value: str | None) -> str | None:
    """Map a language tag (`zh`, `zh-cn`, `zh-Hans-CN`, `en-US`…) to a catalogue, or None."""
    if not value:
        return None
    tag = value.strip().lower()
    if tag.startswith("zh"):
        return "zh-CN"
    if tag.startswith("en"):
        return "en"
    return None


def pick_lang(preference: str | None, accept_language: str | None) -> str:
    """Choose the UI language: the user's saved preference, then Accept-Language, then zh-CN."""
    chosen = normalize_lang(preference)
    if chosen:
        return chosen
    if accept_language:
        ranked: list[tuple[float, int, str]] = []
        for index, part in enumerate(accept_language.split(",")):
            tag, _, params = part.strip().partition(";")
            quality = 1.0
            params = params.strip()
            if params.startswith("q="):
                try:
                    quality = float(params[2:])
                except ValueError:
                    quality = 0.0
            lang = normalize_lang(tag)
            if lang and quality > 0:
                # Higher quality first; on a tie the header's own order wins.
                ranked.append((-quality, index, lang))
        if ranked:
            return min(ranked)[2]
    return DEFAULT_LANG


def translate(lang: str, key: str, **params: object) -> str:
    """The message for `key` in `lang` (falling back to zh-CN, then the key), formatted."""
    text = MESSAGES.get(lang, {}).get(key) or MESSAGES[DEFAULT_LANG].get(key) or key
    return text.format(**params) if params else text


def translator(lang: str) -> Callable[..., str]:
    """A `t(key, **params)` bound to one language, for templates."""

    def t(key: str, **params: object) -> str:
        return translate(lang, key, **params)

    return t
