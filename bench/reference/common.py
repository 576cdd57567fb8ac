"""Shared pieces of the Python reference benchmarks (bench/reference/*.py).

What a PyTorch-Python user would write for the melclass pipeline: the dataset
layout of the competition (pandas-layout label JSON, one .npy per track), the
kit's input compression log10(1 + 10 x), random crops, and melclass's
train/validation split (the last round(10 %) of the label file's rows).
Only Debian's python3-numpy and python3-torch are used.
"""

import json
import math
import os
import time

import numpy as np
import torch

LABEL_COLUMNS = ("station_name", "mood_tag", "genre")


def set_threads(threads):
    """Intra-op threads, as melclass --threads (0 = all cores)."""
    if threads > 0:
        torch.set_num_threads(threads)
    return torch.get_num_threads()


def read_label_file(path):
    """Pandas column-layout JSON -> (track_ids, labels) ordered by the integer row key."""
    with open(path, encoding="utf-8") as f:
        table = json.load(f)
    column = next(c for c in LABEL_COLUMNS if c in table)
    rows = sorted(table["track_index"], key=int)
    ids = [str(table["track_index"][r]) for r in rows]
    labels = [table[column][r] for r in rows]
    return ids, labels


def mel_dir(root, part):
    return os.path.join(root, part, part + "_data", "mel_spectrogram")


def train_split(root, val_fraction):
    """(train_files, train_class_indices, classes) as melclass train holds them."""
    ids, labels = read_label_file(os.path.join(root, "train", "train_label"))
    classes = sorted(set(labels))
    index = {c: i for i, c in enumerate(classes)}
    n = len(ids)
    n_val = max(1, int(math.floor(n * val_fraction + 0.5)))
    files = [os.path.join(mel_dir(root, "train"), i + ".npy") for i in ids[: n - n_val]]
    return files, [index[l] for l in labels[: n - n_val]], classes


def test_files(root):
    """[(track_id, file)] of the test part in the order of its q{1,2,3}_test.json
    (rows ordered by integer key, as melclass predict)."""
    meta = os.path.join(root, "test", "test_data", "meta")
    for q in ("q1_test.json", "q2_test.json", "q3_test.json"):
        path = os.path.join(meta, q)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                index = json.load(f)["track_index"]
            ids = [str(index[r]) for r in sorted(index, key=int)]
            return [(i, os.path.join(mel_dir(root, "test"), i + ".npy")) for i in ids]
    raise FileNotFoundError(f"no q{{1,2,3}}_test.json under {meta}")


def load_mel(path):
    """.npy [1, F, T] or [F, T] -> float32 tensor [F, T]."""
    x = torch.from_numpy(np.load(path))
    return x.squeeze(0) if x.dim() == 3 else x


def compress(x):
    return torch.log10(1.0 + 10.0 * x)


def crop_or_pad(x, length, mode, generator=None):
    """x [F, T] -> [F, length]: zero-padded at the end, or a head/random window."""
    frames = x.shape[-1]
    if frames < length:
        return torch.nn.functional.pad(x, (0, length - frames))
    offset = 0
    if mode == "random" and frames > length:
        offset = int(torch.randint(0, frames - length + 1, (1,), generator=generator))
    return x[:, offset : offset + length]


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())


def load_melclass_checkpoint(model, path):
    """Loads a melclass model.pt (a TorchScript archive of named tensors) strictly:
    fails unless every parameter and buffer name and shape matches."""
    archive = torch.jit.load(path, map_location="cpu")
    state = dict(archive.named_parameters())
    state.update(dict(archive.named_buffers()))
    model.load_state_dict(state, strict=True)
    return sum(v.numel() for k, v in archive.named_parameters())


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def emit(result):
    """The one machine-readable line the harness reads (bench/harness)."""
    print("RESULT " + json.dumps(result), flush=True)
