"""Write the demo shop as the interchange files of formats.md, to try the batch commands:
`orders.jsonl`, `conversations.jsonl`, `tracking.jsonl`, `shop.json` (plus `stock.json`, the
`--stock` file of `kefu orders triage`, from the catalogue's SKU stock)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kefu.demo import DemoShop


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_demo_jsonl(shop: DemoShop, directory: Path) -> list[Path]:
    """Write the files into `directory` (created if missing); returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in (
        ("orders.jsonl", shop.orders),
        ("conversations.jsonl", shop.conversations),
        ("tracking.jsonl", shop.tracking_events),
    ):
        path = directory / name
        _jsonl(path, rows)
        written.append(path)
    for name, value in (("shop.json", shop.config), ("stock.json", stock_map(shop))):
        path = directory / name
        path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def stock_map(shop: DemoShop) -> dict[str, int]:
    """`{"SKU": available_qty}` for every SKU of the catalogue (the triage `--stock` file)."""
    return {sku["sku"]: sku["stock"] for product in shop.products for sku in product["skus"]}
