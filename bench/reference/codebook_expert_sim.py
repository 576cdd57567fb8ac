#!/usr/bin/python3
"""Probes an unsupervised codebook expert beside melclass's classic expert.

The feature-learning recipe of Coates, Lee & Ng 2011 ("An analysis of
single-layer networks in unsupervised feature learning", AISTATS), applied to
music by Dieleman & Schrauwen 2013 ("Multiscale approaches to music audio
feature learning", ISMIR): log-mel patches of `--frames` frames at several
time scales (frames averaged in groups of 1, 4, 16), each patch normalised
(mean removed, divided by its std), PCA-whitened (top `--pca` components,
eigenvalues + 0.1), spherical k-means (`--centroids` unit centroids, 15
rounds); a track's features are the mean and max over time of
max(0, centroid . patch - 0.5) at every scale. Then standardisation and
logistic regression (scikit-learn, C `--c`) on the folds of a `melclass cv`
run, blended with that run's out-of-fold probabilities, with and without the
classic expert (per-band mean/std of the dB mel, C 0.1), then pooled by
artist as melclass pools (geometric, weight 0.75, within each held-out fold).

The codebook is fitted on the patches of all tracks of `--mel` (training and
test parts, no labels): transductive, so it errs high.

usage: codebook_expert_sim.py --data ROOT --task station|genre OOF.json
  (OOF.json from `melclass cv ... --set classic_blend=0`: the network alone)
"""

import argparse
import json
import os
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from artist_prior_sim import artists_and_truth  # noqa: E402
from classic_cv import audio_features  # noqa: E402


def patches(logmel, scale, width):
    t = logmel.shape[1] // scale * scale
    z = logmel[:, :t].reshape(logmel.shape[0], t // scale, scale).mean(2)
    if z.shape[1] < width:
        z = np.pad(z, ((0, 0), (0, width - z.shape[1])))
    p = np.lib.stride_tricks.sliding_window_view(z, width, axis=1)  # [F, n, width]
    p = p.transpose(1, 2, 0).reshape(p.shape[1], -1)
    p = p - p.mean(1, keepdims=True)
    return (p / np.sqrt(p.var(1, keepdims=True) + 0.01)).astype(np.float32)


def codebook_features(mels, args, rng):
    feats = {i: [] for i in mels}
    for scale in (1, 4, 16):
        ps = {i: patches(m, scale, args.frames) for i, m in mels.items()}
        sample = np.concatenate(
            [p[rng.choice(len(p), min(100, len(p)), replace=False)] for p in ps.values()])
        mu = sample.mean(0)
        e, v = np.linalg.eigh(np.cov(sample - mu, rowvar=False))
        white = (v[:, -args.pca:] / np.sqrt(e[-args.pca:] + 0.1)).astype(np.float32)
        x = (sample - mu) @ white
        x /= np.linalg.norm(x, axis=1, keepdims=True) + 1e-8
        d = x[rng.choice(len(x), args.centroids, replace=False)].copy()
        for _ in range(15):
            s = np.eye(args.centroids, dtype=np.float32)[np.argmax(x @ d.T, 1)].T @ x
            keep = np.linalg.norm(s, axis=1) > 0
            d[keep] = s[keep] / np.linalg.norm(s[keep], axis=1, keepdims=True)
        for i, p in ps.items():
            a = np.maximum(0, ((p - mu) @ white) @ d.T - 0.5)
            feats[i].append(np.concatenate([a.mean(0), a.max(0)]))
    return {i: np.concatenate(f) for i, f in feats.items()}


def out_of_fold(x, y, fold, c):
    out = np.zeros((len(y), y.max() + 1))
    for k in sorted(set(fold)):
        tr, te = fold != k, fold == k
        sc = StandardScaler().fit(x[tr])
        m = LogisticRegression(C=c, max_iter=3000).fit(sc.transform(x[tr]), y[tr])
        out[te] = m.predict_proba(sc.transform(x[te]))
    return out


def pool(p, fold, artist, w=0.75):
    lp = np.log(np.maximum(p, 1e-12))
    out = lp.copy()
    for key in set(zip(fold, artist)):
        rows = [r for r in range(len(p)) if (fold[r], artist[r]) == key]
        if len(rows) > 1 and key[1]:
            out[rows] = (1 - w) * lp[rows] + w * lp[rows].mean(0)
    e = np.exp(out - out.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--task", required=True, choices=["station", "genre"])
    ap.add_argument("--mel", default=None, help="folder of every .npy (default ROOT/../mel)")
    ap.add_argument("--centroids", type=int, default=512)
    ap.add_argument("--frames", type=int, default=4)
    ap.add_argument("--pca", type=int, default=128)
    ap.add_argument("--c", type=float, default=0.003)
    ap.add_argument("oof")
    args = ap.parse_args()
    mel_dir = args.mel or os.path.join(args.data, "..", "mel")
    oof = json.load(open(args.oof, encoding="utf-8"))
    ids = [int(i) for i in oof["track_index"]]
    fold = np.array(oof["fold"])
    net = np.array(oof.get("probs_before_artist_pool", oof["probs"]))
    artists, truth = artists_and_truth(args.data, args.task)
    y = np.array([oof["labels"].index(truth[str(i)]) for i in ids])
    artist = [artists.get(str(i), "") for i in ids]
    all_ids = sorted(int(f[:-4]) for f in os.listdir(mel_dir) if f.endswith(".npy"))
    mels = {i: np.load(os.path.join(mel_dir, f"{i}.npy"))[0].astype(np.float32) for i in all_ids}
    book = codebook_features({i: np.log10(1 + 10 * m) for i, m in mels.items()}, args,
                             np.random.default_rng(0))
    classic = out_of_fold(np.stack([audio_features(args.data, i, "db") for i in ids]), y, fold, 0.1)
    code = out_of_fold(np.stack([book[i] for i in ids]), y, fold, args.c)

    def report(name, p):
        print(f"{name:34s} raw {np.mean(p.argmax(1) == y):.3f}  "
              f"pooled {np.mean(pool(p, fold, artist).argmax(1) == y):.3f}")

    report("network", net)
    report("classic expert alone", classic)
    report("codebook expert alone", code)
    for wc, wk in [(0.3, 0), (0, 0.3), (0.15, 0.15), (0.2, 0.2), (0.2, 0.3)]:
        report(f"network + {wc} classic + {wk} codebook",
               (1 - wc - wk) * net + wc * classic + wk * code)


if __name__ == "__main__":
    main()
