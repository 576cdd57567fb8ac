#!/usr/bin/python3
"""Python reference for melclass's .npy loader (bench: npy_load).

numpy.load + torch.from_numpy on every file of a folder, `--passes` times
after one warm-up pass (files in the page cache, as in training after the
first epoch); the best pass counts. MB/s of array data (header bytes not
counted). Prints a RESULT line.
"""

import argparse
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    p.add_argument("folder")
    p.add_argument("--passes", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    common.set_threads(a.threads)
    files = sorted(os.path.join(a.folder, f) for f in os.listdir(a.folder) if f.endswith(".npy"))
    data_bytes = sum(np.load(f, mmap_mode="r").nbytes for f in files)
    times = []
    for i in range(a.passes + 1):
        start = time.perf_counter()
        total = 0.0
        for f in files:
            x = torch.from_numpy(np.load(f))
            total += x.shape[-1]  # touch the result
        if i > 0:
            times.append(time.perf_counter() - start)
    best = min(times)
    mb = data_bytes / 1e6
    print(f"numpy.load + torch.from_numpy: {len(files)} files, {mb:.1f} MB, best of {a.passes}: "
          f"{best * 1e3:.1f} ms = {mb / best:.0f} MB/s")
    common.emit({"files": len(files), "bytes": data_bytes, "passes": a.passes,
                 "seconds": best, "mb_per_second": mb / best,
                 "median_mb_per_second": mb / sorted(times)[len(times) // 2]})


if __name__ == "__main__":
    main()
