#!/usr/bin/python3
"""Simulates melclass's artist prior on out-of-fold predictions.

Artist-disjoint cross-validation never has a held-out artist in training, so
`melclass cv` cannot show what the artist prior (train/artist_prior.h) does
on a test set that shares artists with the training set. This replays it on
a cv run's OUT/oof_predictions.json: each track's probabilities are
multiplied by ((n_c + 1) / (n + C)) ** power, with n_c the labels of the same
artist's *other* tracks in the training part (as if they had been training
tracks; the network never saw that artist, so this errs low), and
renormalised. On mood (multi-label) the tag mix instead: calibrated scores
q = (1 - b) p + b * (share of the artist's other tracks with the tag), cut at
0.5, at least one tag. Artist keys as melclass's: first artist, lower-cased.

usage: artist_prior_sim.py --data ROOT --task station|genre|mood OOF.json...
Prints, per file and power (mix on mood), the accuracy (micro-F1 on mood)
over all tracks and over the tracks whose artist has other tracks; for
single-label tasks from the probabilities before the artist consensus ("raw")
and after it ("pooled"; the same when the run had none).
"""

import argparse
import json
import os

import numpy as np


def artists_and_truth(root, task):
    labels = json.load(open(os.path.join(root, "train", "train_label"), encoding="utf-8"))
    column = {"genre": "genre", "station": "station_name", "mood": "mood_tag"}[task]
    meta = labels
    if "artist_name_list" not in labels:
        path = os.path.join(root, "train", "train_data", "meta", "track_meta.json")
        meta = json.load(open(path, encoding="utf-8"))
    artist = {}
    for row, tid in meta["track_index"].items():
        names = meta["artist_name_list"][row]
        artist[str(tid)] = names[0].lower() if names else ""
    truth = {str(labels["track_index"][r]): labels[column][r] for r in labels["track_index"]}
    return artist, truth


def accuracy(probs, ids, classes, artist, truth, power):
    right = seen = right_seen = 0
    for i, t in enumerate(ids):
        p = probs[i].copy()
        others = [truth[u] for u in ids if u != t and artist[t] and artist[u] == artist[t]]
        if others and power > 0:
            n = np.array([others.count(c) for c in classes], float)
            p = p * ((n + 1) / (len(others) + len(classes))) ** power
        ok = classes[int(np.argmax(p))] == truth[t]
        right += ok
        if others:
            seen += 1
            right_seen += ok
    return right / len(ids), right_seen / max(1, seen), seen


def micro_f1(probs, ids, classes, artist, truth, mix):
    tp = fp = fn = 0
    seen = 0
    for i, t in enumerate(ids):
        p = probs[i].copy()
        others = [set(truth[u]) for u in ids if u != t and artist[t] and artist[u] == artist[t]]
        if others and mix > 0:
            share = np.array([sum(c in o for o in others) / len(others) for c in classes])
            p = (1 - mix) * p + mix * share
            seen += 1
        pred = {classes[j] for j in np.where(p > 0.5)[0]} or {classes[int(np.argmax(p))]}
        true = set(truth[t])
        tp, fp, fn = tp + len(true & pred), fp + len(pred - true), fn + len(true - pred)
    return 2 * tp / (2 * tp + fp + fn), seen


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="dataset root the cv ran on")
    ap.add_argument("--task", required=True, choices=["station", "genre", "mood"])
    ap.add_argument("--powers", default="0,0.5,1,2", help="powers; on mood, mix weights")
    ap.add_argument("oof", nargs="+")
    a = ap.parse_args()
    artist, truth = artists_and_truth(a.data, a.task)
    for f in a.oof:
        o = json.load(open(f, encoding="utf-8"))
        if a.task == "mood":
            for mix in (float(x) for x in a.powers.split(",")):
                f1, seen = micro_f1(np.array(o["probs"]), o["track_index"], o["labels"], artist,
                                    truth, mix)
                print(f"{f} mix {mix:g}: micro-F1 {f1:.4f} ({seen} tracks with a known artist)")
            continue
        pooled = np.array(o["probs"])
        raw = np.array(o.get("probs_before_artist_pool") or o["probs"])
        for power in (float(x) for x in a.powers.split(",")):
            for name, probs in (("raw", raw), ("pooled", pooled)):
                acc, acc_seen, seen = accuracy(probs, o["track_index"], o["labels"], artist,
                                               truth, power)
                print(f"{f} {name} power {power:g}: accuracy {acc:.3f}, "
                      f"tracks with a known artist {acc_seen:.3f} (n={seen})")


if __name__ == "__main__":
    main()
