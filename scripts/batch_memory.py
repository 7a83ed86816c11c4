"""Peak memory of the packaged embedder for one long batch, whole (``one``) or in its
bounded chunks (``chunked``): `python scripts/batch_memory.py one|chunked QUESTIONS.txt`
(one question per line)."""

from __future__ import annotations

import resource
import sys
from pathlib import Path

from bot.core.embedding import packaged


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(mode: str, path: str) -> None:
    if mode == "one":
        packaged.BATCH_SIZE = 10**9
    embedder = packaged.PackagedE5Embedder(threads=1)
    questions = Path(path).read_text(encoding="utf-8").splitlines()
    embedder.embed_queries(questions[:1])
    loaded = peak_mib()
    embedder.embed_queries(questions)
    print(f"{mode}: {loaded:.0f} MiB loaded, {peak_mib():.0f} MiB after a batch of "
          f"{len(questions)}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
