"""Normalization throughput on the sample corpus repeated to >= 50 MB (a script, not a test).

Reports MB/s (UTF-8 bytes of raw text per second), the median of several runs, and in the same
run two baselines on the same text: OpenCC t2s alone (the part no normalizer can skip) and
unicodedata NFKC (what a user might reach for first; it is not enough, but it is the floor).

    python benchmarks/normalize_throughput.py [--mb 50] [--runs 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import time
import unicodedata
from pathlib import Path

from govtargets.transforms.decode import to_simplified
from govtargets.transforms.normalize import normalize_text

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "corpus"


def synthetic_corpus(target_mb: float, seed: int = 7) -> list[str]:
    """The sample documents repeated, with their numbers varied so no two copies are equal."""
    rng = random.Random(seed)
    originals = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    documents, size = [], 0
    while size < target_mb * 1e6:
        for text in originals:
            varied = re.sub(r"\d", lambda _: str(rng.randint(0, 9)), text)
            documents.append(varied)
            size += len(varied.encode("utf-8"))
    return documents


def throughput(step, documents: list[str], runs: int) -> tuple[float, list[float]]:
    megabytes = sum(len(d.encode("utf-8")) for d in documents) / 1e6
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        for document in documents:
            step(document)
        seconds.append(time.perf_counter() - start)
    return megabytes / statistics.median(seconds), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    documents = synthetic_corpus(args.mb)
    megabytes = sum(len(d.encode("utf-8")) for d in documents) / 1e6
    steps = {
        "normalize_text": normalize_text,
        "baseline: OpenCC t2s only": to_simplified,
        "baseline: unicodedata NFKC": lambda t: unicodedata.normalize("NFKC", t),
    }
    results = {}
    for name, step in steps.items():
        rate, seconds = throughput(step, documents, args.runs)
        results[name] = {"mb_per_s_median": round(rate, 2), "seconds": [round(s, 3) for s in seconds]}
    reference = results["normalize_text"]["mb_per_s_median"]
    print(f"corpus: {len(documents)} documents, {megabytes:.1f} MB, {args.runs} runs each (median)")
    print(f"{'step':32} {'MB/s':>8} {'normalize_text / step':>22}")
    for name, result in results.items():
        print(f"{name:32} {result['mb_per_s_median']:8.2f} {reference / result['mb_per_s_median']:22.3f}")
    if args.json:
        args.json.write_text(
            json.dumps({"megabytes": megabytes, "runs": args.runs, "results": results}, indent=1)
        )


if __name__ == "__main__":
    main()
