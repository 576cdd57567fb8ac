"""How far quadrant knowledge goes on real4q/mood: an upper-bound check.

real4q's station and mood roots hold the same clips; the 4Q quadrant of a clip
was derived from its AllMusic mood tags (Panda et al. 2018). This scores, on the
folds of a `melclass cv` mood run (OUT/oof_predictions.json), the rule "emit
the K most frequent training tags of the clip's quadrant", with
- the true quadrant (an oracle no mood model has), and
- the quadrant predicted out of fold by a station run (STATION_CV), if given.
Tag lists are counted on the other folds only. Micro-F1 as the competition's.

  /usr/bin/python3 bench/reference/mood_ceiling.py --data real4q --mood-cv OUT [--station-cv OUT2]
"""

import argparse
import collections
import json
import os

from classic_cv import load_labels

QUADRANTS = ("Q1", "Q2", "Q3", "Q4")


def labels(root):
    """{track id: label cell} of ROOT/train/train_label (classic_cv's reader)."""
    table, column, rows = load_labels(root)
    return {int(t): table[column][row] for t, row in rows.items()}


def oof(folder):
    with open(os.path.join(folder, "oof_predictions.json"), encoding="utf-8") as f:
        return json.load(f)


def micro_f1(quadrant_of, tracks, tags, quadrant, fold, k):
    tp = predicted = true = 0
    for f in set(fold.values()):
        train = [t for t in tracks if fold[t] != f]
        top = {q: [x for x, _ in collections.Counter(
            x for t in train if quadrant[t] == q for x in tags[t]).most_common(k)] for q in QUADRANTS}
        for t in (t for t in tracks if fold[t] == f):
            emit = set(top[quadrant_of[t]])
            tp += len(emit & set(tags[t]))
            predicted += len(emit)
            true += len(tags[t])
    return 2 * tp / (predicted + true)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="real4q folder (station/ and mood/ inside)")
    ap.add_argument("--mood-cv", required=True, help="melclass cv output on real4q/mood (its folds)")
    ap.add_argument("--station-cv", help="melclass cv output on real4q/station (predicted quadrants)")
    args = ap.parse_args()
    tags = labels(os.path.join(args.data, "mood"))
    quadrant = labels(os.path.join(args.data, "station"))
    m = oof(args.mood_cv)
    fold = {int(t): f for t, f in zip(m["track_index"], m["fold"])}
    tracks = [t for t in fold if t in quadrant]
    rules = {"true quadrant": quadrant}
    if args.station_cv:
        s = oof(args.station_cv)
        rules["predicted quadrant"] = {int(t): s["labels"][max(range(len(p)), key=p.__getitem__)]
                                       for t, p in zip(s["track_index"], s["probs"])}
        hits = sum(rules["predicted quadrant"][t] == quadrant[t] for t in tracks)
        print(f"station out-of-fold accuracy on the mood clips: {hits / len(tracks):.3f}")
    print(f"{len(tracks)} clips, {sum(map(len, (tags[t] for t in tracks))) / len(tracks):.1f} tags each")
    for k in (3, 5, 8, 10):
        cells = [f"{name} {micro_f1(q, tracks, tags, quadrant, fold, k):.3f}" for name, q in rules.items()]
        print(f"top {k} tags of the quadrant: " + ", ".join(cells))


if __name__ == "__main__":
    main()
