"""The issue's classic recipes in scikit-learn, on the folds of a `melclass cv` run.

Scores, per fold of OUT/oof_predictions.json (the same artist-disjoint folds
melclass used), the reference recipes that the AI Rush figures quote:
- audio roots (station, genre, mood): per-band mean and std of the log mel
  over the whole track -> StandardScaler -> LogisticRegression (one-vs-rest
  for mood tags, micro-F1 at 0.5 with at least one tag);
- text-only roots (airush2020-q3meta): character n-gram TF-IDF (char_wb,
  1-4, sublinear tf) of title, artists and album -> LogisticRegression.
and, for audio, the mean of melclass's out-of-fold probabilities with the
recipe's (weights 0.7 / 0.3), the blend the default model now does itself.

Needs Debian's python3-sklearn (scripts/install_deps.sh installs it; benchmarks only):
  /usr/bin/python3 bench/reference/classic_cv.py --data ROOT --cv OUT [--c 1.0]
"""

import argparse
import json
import os

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import StandardScaler

LABEL_COLUMNS = ("station_name", "mood_tag", "genre")


def load_labels(root):
    with open(os.path.join(root, "train", "train_label"), encoding="utf-8") as f:
        table = json.load(f)
    column = next(c for c in LABEL_COLUMNS if c in table)
    rows = {str(table["track_index"][k]): k for k in table["track_index"]}
    return table, column, rows


def mel_dir(root):
    """ROOT/train/train_data/mel_spectrogram, or where it points when it is a
    symlink kept as a text file holding the relative path (as melclass reads it)."""
    d = os.path.join(root, "train", "train_data", "mel_spectrogram")
    if os.path.isfile(d):
        with open(d, encoding="utf-8") as f:
            d = os.path.normpath(os.path.join(os.path.dirname(d), f.read().strip()))
    return d


def audio_features(root, track, compression):
    path = os.path.join(mel_dir(root), f"{track}.npy")
    mel = np.load(path).astype(np.float64)
    mel = mel.reshape(mel.shape[-2], mel.shape[-1])
    x = np.log10(1 + 10 * mel) if compression == "log10_1p10" else 10 * np.log10(np.maximum(mel, 1e-10))
    return np.concatenate([x.mean(1), x.std(1)])


def text_of(table, row):
    parts = []
    for field in ("track_title", "artist_name_list", "album_name"):
        v = table.get(field, {}).get(row, "")
        parts.append(" ".join(v) if isinstance(v, list) else (v or ""))
    return " | ".join(parts)


def micro_f1(probs, truth):
    decided = probs >= 0.5
    decided[np.arange(len(probs)), probs.argmax(1)] = True
    tp = (decided & truth).sum()
    return 2 * tp / (decided.sum() + truth.sum())


def fold_scores(score, folds, *preds):
    out = []
    for p in preds:
        per = [score(p[folds == f], folds == f) for f in sorted(set(folds))]
        out.append((float(np.mean(per)), float(np.std(per))))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="dataset root (as given to melclass cv)")
    ap.add_argument("--cv", required=True, help="melclass cv output folder")
    ap.add_argument("--c", type=float, default=1.0, help="LogisticRegression C (default 1.0)")
    ap.add_argument("--compression", default="db", choices=["db", "log10_1p10"])
    args = ap.parse_args()
    with open(os.path.join(args.cv, "oof_predictions.json"), encoding="utf-8") as f:
        oof = json.load(f)
    table, column, rows = load_labels(args.data)
    vocab, folds = oof["labels"], np.array(oof["fold"])
    tracks = [str(t) for t in oof["track_index"]]
    multi = column == "mood_tag"
    labels = [table[column][rows[t]] for t in tracks]
    audio = os.path.isdir(mel_dir(args.data))
    if audio:
        x = np.array([audio_features(args.data, t, args.compression) for t in tracks])
    if multi:
        y = np.array([[v in l for v in vocab] for l in labels])
        score = lambda p, m: micro_f1(p, y[m])
    else:
        y = np.array([vocab.index(l) for l in labels])
        score = lambda p, m: float((p.argmax(1) == y[m]).mean())
    ref = np.zeros((len(tracks), len(vocab)))
    for f in sorted(set(folds)):
        tr, te = folds != f, folds == f
        if not audio:
            vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True)
            a = vec.fit_transform([text_of(table, rows[t]) for t, m in zip(tracks, tr) if m])
            b = vec.transform([text_of(table, rows[t]) for t, m in zip(tracks, te) if m])
        else:
            scaler = StandardScaler().fit(x[tr])
            a, b = scaler.transform(x[tr]), scaler.transform(x[te])
        if multi:
            seen = y[tr].sum(0) > 0
            clf = OneVsRestClassifier(LogisticRegression(C=args.c, max_iter=5000)).fit(a, y[tr][:, seen])
            ref[np.ix_(te, seen)] = clf.predict_proba(b)
        else:
            clf = LogisticRegression(C=args.c, max_iter=5000).fit(a, y[tr])
            ref[np.ix_(te, clf.classes_)] = clf.predict_proba(b)
    mel = np.array(oof["probs"])
    names = ["melclass", "reference"] + (["0.7 melclass + 0.3 reference"] if audio else [])
    preds = [mel, ref] + ([0.7 * mel + 0.3 * ref] if audio else [])
    for name, (mean, std) in zip(names, fold_scores(score, folds, *preds)):
        print(f"{name}: {mean:.3f} ± {std:.3f} over {len(set(folds))} folds")


if __name__ == "__main__":
    main()
