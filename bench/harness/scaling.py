"""Scaling: time and peak memory vs track length and vs dataset size (bench/run.sh)."""

import os

import cases
from proc import run


def synth(ctx, root, tracks, lo, hi, seed=0):
    if os.path.exists(os.path.join(root, "train", "train_label")):
        return
    run([ctx.melclass, "synth", "--out", root, "--tracks", tracks, "--min-seconds", lo,
         "--max-seconds", hi, "--seed", seed, "--threads", ctx.threads], ctx.log)


def track_length(ctx, run_dir):
    """Per length: predict (melclass, Python) on the test part and one training epoch
    (melclass) on a dataset whose tracks all have that length."""
    rows = []
    for seconds in ctx.s["lengths"]:
        root = os.path.join(ctx.work, f"len_{seconds}")
        synth(ctx, root, ctx.s["length_tracks"], seconds, seconds, seed=seconds)
        mp, pp, d = cases.predict(ctx, run_dir, root, f"len{seconds}")
        tp, rates, summary = cases.melclass_train(ctx, root, "tcnet", 1,
                                                  os.path.join(ctx.work, f"run_len_{seconds}"))
        rows.append({"seconds": seconds, "frames": 1 + seconds * 16000 // 512,
                     "test_tracks": d["tracks"],
                     "predict_melclass_wall": mp.wall, "predict_melclass_rss_mb": mp.max_rss_mb,
                     "predict_python_wall": pp.wall, "predict_python_rss_mb": pp.max_rss_mb,
                     "train_melclass_wall": tp.wall, "train_melclass_rss_mb": tp.max_rss_mb,
                     "train_tracks": summary.get("train_tracks")})
        ctx.log.say(f"  length {seconds:4d} s: predict melclass {mp.wall:6.1f} s "
                    f"{mp.max_rss_mb:6.0f} MB, python {pp.wall:6.1f} s {pp.max_rss_mb:6.0f} MB; "
                    f"train epoch melclass {tp.wall:6.1f} s {tp.max_rss_mb:6.0f} MB")
    return rows


def dataset_size(ctx):
    """One training epoch (short crops) on datasets of growing size: peak memory
    must follow the batch, not the number of tracks."""
    rows = []
    lo, hi = ctx.s["size_seconds"]
    frames = ctx.s["size_frames"]
    for n in ctx.s["sizes"]:
        root = os.path.join(ctx.work, f"size_{n}")
        synth(ctx, root, n, lo, hi, seed=n)
        tp, rates, summary = cases.melclass_train(
            ctx, root, "tcnet", 1, os.path.join(ctx.work, f"run_size_{n}"),
            {"train_frames": frames, "eval_frames": frames, "eval_hop": frames // 2})
        row = {"tracks": n, "train_tracks": summary.get("train_tracks"), "train_frames": frames,
               "melclass_wall": tp.wall, "melclass_rss_mb": tp.max_rss_mb,
               "melclass_samples_per_second": rates[0]}
        line = (f"  {n:6d} tracks: melclass epoch {tp.wall:6.1f} s, {rates[0]:7.1f} samples/s, "
                f"peak {tp.max_rss_mb:6.0f} MB")
        if ctx.s["size_python"]:
            pp, pr = cases.python_train(ctx, root, "tcnet", 1, None,
                                        ["--train-frames", str(frames)])
            row.update(python_wall=pp.wall, python_rss_mb=pp.max_rss_mb,
                       python_samples_per_second=pr["samples_per_second"])
            line += (f"; python {pp.wall:6.1f} s, {pr['samples_per_second']:7.1f} samples/s, "
                     f"peak {pp.max_rss_mb:6.0f} MB")
        rows.append(row)
        ctx.log.say(line)
    if len(rows) >= 2:
        growth = rows[-1]["melclass_rss_mb"] / rows[0]["melclass_rss_mb"]
        ctx.log.say(f"  melclass peak memory x{growth:.2f} for x{rows[-1]['tracks'] / rows[0]['tracks']:.0f} "
                    f"the tracks")
    return rows


def print_tables(log, lengths, sizes):
    log.say("\nscaling vs track length (wall s / peak MB)")
    log.say(f"{'length':>8} {'frames':>7} | {'predict melclass':>17} | {'predict python':>17} |"
            f" {'train 1 epoch melclass':>22}")
    for r in lengths:
        log.say(f"{r['seconds']:>7}s {r['frames']:>7} | {r['predict_melclass_wall']:7.1f} s "
                f"{r['predict_melclass_rss_mb']:6.0f} MB | {r['predict_python_wall']:7.1f} s "
                f"{r['predict_python_rss_mb']:6.0f} MB | {r['train_melclass_wall']:12.1f} s "
                f"{r['train_melclass_rss_mb']:6.0f} MB")
    log.say("\nscaling vs dataset size (1 epoch, wall s / peak MB)")
    for r in sizes:
        extra = ""
        if "python_wall" in r:
            extra = f" | python {r['python_wall']:7.1f} s {r['python_rss_mb']:6.0f} MB"
        log.say(f"{r['tracks']:>7} tracks | melclass {r['melclass_wall']:7.1f} s "
                f"{r['melclass_rss_mb']:6.0f} MB{extra}")
