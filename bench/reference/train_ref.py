#!/usr/bin/python3
"""PyTorch-Python reference for `melclass train` (bench: train_default, train_baseline).

The script a user would write: a torch.utils.data.Dataset that reads each .npy,
compresses log10(1 + 10 x) and crops train_frames frames (random for tcnet,
head for baseline, zero-padded when short); a DataLoader with worker processes,
shuffling and batching; the same model (bench/reference/models.py), optimizer,
learning-rate schedule and loss as melclass, augmentation off on both sides.
Only the epoch loop is timed (from asking for the first batch to the last
optimizer step); validation is not run. Prints a RESULT line (JSON).
"""

import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import models  # noqa: E402


class CropDataset(Dataset):
    def __init__(self, files, labels, frames, crop):
        self.files, self.labels, self.frames, self.crop = files, labels, frames, crop

    def __len__(self):
        return len(self.files)

    def __getitem__(self, i):
        x = common.compress(common.load_mel(self.files[i]))
        return common.crop_or_pad(x, self.frames, self.crop), self.labels[i]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    p.add_argument("--data", required=True, help="dataset root (competition layout)")
    p.add_argument("--model", default="tcnet", choices=sorted(models.RECIPES))
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads in the trainer")
    p.add_argument("--workers", type=int, default=2, help="DataLoader worker processes")
    p.add_argument("--train-frames", type=int, default=0, help="0: the model's recipe")
    p.add_argument("--val-fraction", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--checkpoint", help="a melclass model.pt: load it strictly (same architecture)")
    p.add_argument("--device", default="cpu", help="cpu or cuda (pinned batches, non-blocking copies)")
    p.add_argument("--channels-last", action="store_true",
                   help="model.to(memory_format=torch.channels_last), as melclass stores 2D CNNs")
    p.add_argument("--autocast", default="none", choices=["none", "bf16"],
                   help="bf16: forward passes under torch.autocast(dtype=torch.bfloat16), loss in "
                        "float32 (melclass's `autocast: bf16`)")
    return p.parse_args()


def run_epoch(model, loader, opt, recipe, state, device):
    """One epoch; returns (samples, seconds, seconds waiting for the loader)."""
    model.train()
    samples, waited = 0, 0.0
    start = time.perf_counter()
    it = iter(loader)
    while True:
        t = time.perf_counter()
        batch = next(it, None)
        waited += time.perf_counter() - t
        if batch is None:
            break
        x, y = batch
        if x.shape[0] < 2 and samples > 0:  # as melclass: BatchNorm needs > 1 sample
            continue
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        if recipe["scheduler"] == "cosine":
            for group in opt.param_groups:
                group["lr"] = models.cosine_lr(recipe["lr"], state["step"], state["total"])
        opt.zero_grad()
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=state["bf16"]):
            logits = model(x)
        loss = F.cross_entropy(logits.float(), y)
        loss.backward()
        opt.step()
        state["loss"] = loss.item()
        state["step"] += 1
        samples += x.shape[0]
    if device.type == "cuda":
        torch.cuda.synchronize()
    return samples, time.perf_counter() - start, waited


def main():
    a = parse_args()
    threads = common.set_threads(a.threads)
    torch.manual_seed(a.seed)
    recipe = models.RECIPES[a.model]
    frames = a.train_frames or recipe["train_frames"]
    files, labels, classes = common.train_split(a.data, a.val_fraction)
    model = models.make_model(a.model, 128, len(classes))
    params = common.count_parameters(model)
    melclass_params = None
    if a.checkpoint:
        melclass_params = common.load_melclass_checkpoint(model, a.checkpoint)
        print(f"architecture check: melclass checkpoint loads strictly; parameters "
              f"python {params}, melclass {melclass_params}")
        model = models.make_model(a.model, 128, len(classes))  # fresh weights again
    device = torch.device(a.device)
    model = model.to(device)
    if a.channels_last:
        model = model.to(memory_format=torch.channels_last)
    loader = DataLoader(CropDataset(files, labels, frames, recipe["train_crop"]),
                        batch_size=a.batch_size, shuffle=True, num_workers=a.workers,
                        persistent_workers=a.workers > 0, drop_last=False,
                        pin_memory=device.type == "cuda")
    opt = models.make_optimizer(a.model, model)
    state = {"step": 0, "total": len(loader) * a.epochs, "loss": float("nan"),
             "bf16": a.autocast == "bf16"}
    epochs = []
    for epoch in range(1, a.epochs + 1):
        samples, seconds, waited = run_epoch(model, loader, opt, recipe, state, device)
        epochs.append({"epoch": epoch, "samples": samples, "seconds": seconds,
                       "wait_seconds": waited, "samples_per_second": samples / seconds})
        print(f"epoch {epoch}: {samples} samples in {seconds:.2f} s = "
              f"{samples / seconds:.1f} samples/s (waiting for data {waited / seconds:.0%}), "
              f"loss {state['loss']:.4f}", flush=True)
    total_samples = sum(e["samples"] for e in epochs)
    total_seconds = sum(e["seconds"] for e in epochs)
    common.emit({"model": a.model, "device": a.device, "channels_last": a.channels_last,
                 "threads": threads, "workers": a.workers,
                 "batch_size": a.batch_size, "train_frames": frames, "tracks": len(files),
                 "parameters": params, "melclass_parameters": melclass_params, "epochs": epochs,
                 "samples_per_second": total_samples / total_seconds,
                 "wait_fraction": sum(e["wait_seconds"] for e in epochs) / total_seconds})


if __name__ == "__main__":
    main()
