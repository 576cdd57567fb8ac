#!/usr/bin/python3
"""PyTorch-Python reference for `melclass predict` (bench: predict_full).

Reads a melclass run folder's config.json (model, eval_frames, eval_crop,
eval_hop, aggregate, batch_size) and labels.json, builds the same model
(bench/reference/models.py) and loads model.pt strictly (random weights with
--random-weights), then predicts every test track in q{1,2,3}_test.json order:
.npy -> log10(1 + 10 x) -> windows of eval_frames every eval_hop frames (the
last aligned to the end, short tracks zero-padded) -> batches of batch_size
consecutive windows -> per-track aggregation (mean of probabilities, max, or
logit mean). With --autocast bf16 the forward passes run under
torch.autocast(dtype=torch.bfloat16), as `melclass predict --autocast bf16`.
Writes the JSON label list and a CSV of scores, like melclass.
Timed from after `import torch` to the written output. Prints a RESULT line.
"""

import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import models  # noqa: E402


def chunk_starts(length, frames, hop):
    """As melclass train::chunk_starts: 0, hop, 2 hop, ... and one aligned to the end."""
    if length <= frames:
        return [0]
    hop = max(1, hop)
    starts = list(range(0, length - frames, hop))
    return starts + [length - frames]


def prepare(mel, r):
    x = common.compress(mel)
    if r["eval_frames"] == 0:
        return x
    if r["eval_crop"] == "chunks":
        return x if x.shape[1] >= r["eval_frames"] else common.crop_or_pad(x, r["eval_frames"], "head")
    return common.crop_or_pad(x, r["eval_frames"], "head")


def batched_logits(model, inputs, batch_size, device):
    """Consecutive equal-size inputs stacked up to batch_size, as melclass predict_logits."""
    out, i = [], 0
    while i < len(inputs):
        j = i + 1
        while j < len(inputs) and j - i < batch_size and inputs[j].shape == inputs[i].shape:
            j += 1
        out.append(model(torch.stack(inputs[i:j]).to(device, non_blocking=True)).float().cpu())
        i = j
    return torch.cat(out)


def aggregate(logits, how):
    if how == "logit_mean":
        return torch.softmax(logits.mean(0, keepdim=True), 1)[0]
    p = torch.softmax(logits, 1)
    if how == "mean":
        return p.mean(0)
    m = p.max(0).values
    return m / m.sum()


def predict_chunk(model, mels, r, device):
    inputs = [prepare(m, r) for m in mels]
    if r["eval_crop"] != "chunks" or r["eval_frames"] == 0:
        return torch.softmax(batched_logits(model, inputs, r["batch_size"], device), 1)
    frames = r["eval_frames"]
    hop = r["eval_hop"] if r["eval_hop"] > 0 else max(1, frames // 2)
    windows, counts = [], []
    for x in inputs:
        starts = chunk_starts(x.shape[1], frames, hop)
        windows += [x[:, s : s + frames] for s in starts]
        counts.append(len(starts))
    logits = batched_logits(model, windows, r["batch_size"], device)
    return torch.stack([aggregate(part, r["aggregate"]) for part in logits.split(counts)])


def write_outputs(path, ids, probs, labels):
    best = probs.argmax(1).tolist()
    with open(path, "w", encoding="utf-8") as f:
        json.dump([labels[b] for b in best], f)
    with open(os.path.splitext(path)[0] + ".csv", "w", encoding="utf-8") as f:
        f.write("track_id,prediction," + ",".join("score_" + l for l in labels) + "\n")
        for tid, b, row in zip(ids, best, probs.tolist()):
            f.write(f"{tid},{labels[b]}," + ",".join(f"{v:.6f}" for v in row) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    p.add_argument("--run", required=True, help="melclass run folder (config, labels, model.pt)")
    p.add_argument("--data", required=True, help="dataset root")
    p.add_argument("--out", required=True, help="prediction JSON (CSV beside it)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--random-weights", action="store_true")
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--autocast", default="none", choices=["none", "bf16"],
                   help="bf16: forward passes under torch.autocast(dtype=torch.bfloat16)")
    a = p.parse_args()
    with common.Timer() as timer:
        threads = common.set_threads(a.threads)
        with open(os.path.join(a.run, "config.json"), encoding="utf-8") as f:
            config = json.load(f)
        with open(os.path.join(a.run, "labels.json"), encoding="utf-8") as f:
            labels = json.load(f)["labels"]
        r = config["recipe"]
        model = models.make_model(config["model"], config["n_mels"], len(labels))
        if not a.random_weights:
            common.load_melclass_checkpoint(model, os.path.join(a.run, "model.pt"))
        device = torch.device(a.device)
        model = model.to(device).eval()
        tracks = common.test_files(a.data)
        parts = []
        bf16 = torch.autocast(device.type, dtype=torch.bfloat16, enabled=a.autocast == "bf16")
        with torch.no_grad(), bf16:
            for start in range(0, len(tracks), 64):  # as melclass: 64 files in memory at once
                mels = [common.load_mel(f) for _, f in tracks[start : start + 64]]
                parts.append(predict_chunk(model, mels, r, device))
        probs = torch.cat(parts)
        write_outputs(a.out, [t for t, _ in tracks], probs, labels)
    print(f"predicted {len(tracks)} tracks in {timer.seconds:.2f} s -> {a.out}")
    common.emit({"model": config["model"], "device": a.device, "threads": threads, "tracks": len(tracks),
                 "seconds": timer.seconds, "tracks_per_second": len(tracks) / timer.seconds,
                 "parameters": common.count_parameters(model), "eval_crop": r["eval_crop"],
                 "eval_frames": r["eval_frames"], "eval_hop": r["eval_hop"],
                 "aggregate": r["aggregate"]})


if __name__ == "__main__":
    main()
