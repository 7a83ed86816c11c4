"""Peak memory of the packaged embedder for one long batch, whole (``one``) or in its
bounded chunks (``chunked``): `python scripts/batch_memory.py one|chunked QUESTIONS.txt`."""

import resource, sys
from bot.core.embedding import packaged
if sys.argv[1] == "one": packaged.BATCH_SIZE = 10**9
e = packaged.PackagedE5Embedder(threads=1)
qs = open(sys.argv[2], encoding="utf-8").read().splitlines()
e.embed_queries(qs[:1])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
e.embed_queries(qs)
print(sys.argv[1], f"after load+1: {base:.0f} MiB, after batch of {len(qs)}: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024:.0f} MiB")
