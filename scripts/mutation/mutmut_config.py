"""mutmut 2 hook for scripts/mutation.sh: with XCOMKIT_MUTATION_SAMPLE=N, test one mutant in N.

The choice hashes the file, the source line and the mutant's index on it (not the line number), so
two runs on sources that differ only elsewhere test the same mutants: a "before" and an "after"
sample compare like with like. The others are reported as skipped.
"""

from __future__ import annotations

import os
import zlib


def pre_mutation(context):
    n = int(os.environ.get("XCOMKIT_MUTATION_SAMPLE") or 1)
    if n <= 1:
        return
    ident = f"{context.filename}\0{context.current_source_line.strip()}\0{context.mutation_id.index}"
    if zlib.crc32(ident.encode()) % n:
        context.skip = True
