"""Generate a synthetic briefgen project with N events and N claims.

Sources with derivation links, mixed-precision dates (years, months, days,
approximate, ranges, relative), one to three citations per event and claim, some
claims disputed. Deterministic for a given N and seed.

    python bench/generate.py 1000 /tmp/bench-1000
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import yaml

WORDS = ("cloud model capacity revenue growth launch investment agent platform market "
         "compute energy chip quarter forecast partner developer token network region").split()


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return (" ".join(words)).capitalize() + "."


def date(rng: random.Random, i: int, event_ids: list[str]):
    year = 2015 + (i * 7) % 11
    kind = i % 10
    if kind == 0:
        return str(year)
    if kind in (1, 2):
        return f"{year}-{1 + i % 12:02d}"
    if kind == 3:
        return f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}~"
    if kind == 4:
        return f"{year}-{1 + i % 12:02d}/{year}-12"
    if kind == 5 and event_ids:
        return {"relative_to": rng.choice(event_ids[-50:]), "offset": "-P7D/-P1D", "approximate": True}
    return f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}"


def generate(n: int, out: Path, seed: int = 7) -> Path:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    n_sources = max(5, n // 50)
    sources = []
    for s in range(n_sources):
        src = {"id": f"src-{s}", "title": f"Synthetic source {s}: {sentence(rng, 5)}", "title-short": f"S{s}",
               "container-title": f"Outlet {s % 17}", "reliability": "ABCDEF"[s % 6]}
        if s % 5 == 4:
            src["derived_from"] = [f"src-{s - 1}"]
        sources.append(src)

    def citations(k: int) -> list[dict]:
        return [{"source": f"src-{rng.randrange(n_sources)}", "quote": sentence(rng, 12),
                 "locator": f"para. {rng.randint(1, 40)}"} for _ in range(k)]

    events, ids = [], []
    for i in range(n):
        eid = f"ev-{i}"
        events.append({"id": eid, "date": date(rng, i, ids), "title": sentence(rng, 7),
                       "summary": sentence(rng, 14), "tags": [rng.choice(WORDS)],
                       "significance": ("low", "medium", "high")[i % 3], "citations": citations(1 + i % 2)})
        ids.append(eid)
    claims = []
    for i in range(n):
        subject = f"subject-{i // 2 if i % 10 < 2 else i}"
        value = 10 + (i % 7) if i % 10 < 2 else rng.randint(1, 500)
        claims.append({"id": f"cl-{i}", "statement": sentence(rng, 11), "claimant": f"Claimant {i % 40}",
                       "claimant_kind": "person", "kind": "figure", "subject": subject, "value": value,
                       "unit": "%", "credibility": 1 + i % 6, "tags": [rng.choice(WORDS)],
                       "citations": citations(1 + i % 3)})
    (out / "briefgen.yaml").write_text(yaml.safe_dump({
        "title": f"Synthetic briefing, N = {n}", "subject": "Benchmark data", "audience": "full",
        "as_of": "2026-01-01", "formats": ["docx", "pdf"]}, sort_keys=False), encoding="utf-8")
    for name, key, items in (("sources", "sources", sources), ("events", "events", events), ("claims", "claims", claims)):
        (out / f"{name}.yaml").write_text(yaml.safe_dump({key: items}, sort_keys=False, allow_unicode=True,
                                                         width=1000), encoding="utf-8")
    (out / "judgments.yaml").write_text(yaml.safe_dump({
        "bottom_line": {"statement": "Synthetic bottom line.", "basis": ["cl-0", "ev-0"]},
        "judgments": [{"id": "kj-1", "statement": "Synthetic judgment.", "confidence": "moderate",
                       "basis": ["cl-1"]}]}), encoding="utf-8")
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python bench/generate.py N OUT_DIR")
    print(generate(int(sys.argv[1]), Path(sys.argv[2])))
