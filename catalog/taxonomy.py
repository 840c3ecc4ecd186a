"""Loading the green-industry taxonomy shipped in catalog/data/ (idempotent)."""

import json
from pathlib import Path

TAXONOMY_FILE = Path(__file__).resolve().parent / "data" / "green-industry-taxonomy.json"


def sort_key_for(code: str) -> str:
    return ".".join(part.zfill(3) for part in code.split("."))


def load_taxonomy(category_model, path: Path = TAXONOMY_FILE) -> int:
    """Create or update every category in the file; returns how many categories it holds."""
    data = json.loads(path.read_text(encoding="utf-8"))
    count = 0

    def save(node: dict, parent) -> None:
        nonlocal count
        category, _ = category_model.objects.update_or_create(
            code=node["code"],
            defaults={
                "parent": parent,
                "name_zh": node["zh"],
                "name_en": node["en"],
                "sort_key": sort_key_for(node["code"]),
            },
        )
        count += 1
        for child in node.get("children", []):
            save(child, category)

    for industry in data["categories"]:
        save(industry, None)
    return count
