"""The comparisons of bench/run.sh: melclass, then the Python reference, on the same data.

Each returns a dict with "melclass", "reference", "ratio" (melclass speed /
reference speed, higher is better for melclass), "unit" and details.
"""

import csv
import json
import os

import numpy as np

from proc import PYTHON, run

# Augmentation off on both sides (the references implement none).
NO_AUGMENTATION = {"spec_time_masks": 0, "spec_freq_masks": 0, "mixup_alpha": 0.0, "gain_db": 0.0,
                   "label_smoothing": 0.0}
# tcnet runs also evaluate in chunks (predict_full): windows of 256 frames every
# 128, probabilities averaged per track. (baseline keeps its 1200-frame head.)
CHUNKS = {"eval_crop": "chunks", "eval_frames": 256, "eval_hop": 128, "aggregate": "mean"}


def ref(ctx, script):
    return [PYTHON, os.path.join(ctx.bench_dir, "reference", script)]


def write_config(ctx, name, model, extra=None):
    path = os.path.join(ctx.work, name + ".json")
    recipe = dict(NO_AUGMENTATION, **(CHUNKS if model == "tcnet" else {}))
    with open(path, "w", encoding="utf-8") as f:
        json.dump(dict(recipe, **(extra or {})), f)
    return path


def npy_load(ctx):
    folder = os.path.join(ctx.main_root, "train", "train_data", "mel_spectrogram")
    passes = str(ctx.s["npy_passes"])
    m = run([ctx.bench_npy, folder, "--passes", passes, "--threads", ctx.threads], ctx.log).result()
    r = run(ref(ctx, "npy_ref.py") + [folder, "--passes", passes, "--threads", ctx.threads],
            ctx.log).result()
    fresh = m["memcpy_fresh"]["mb_per_second"]
    return {"unit": "MB/s", "melclass": m["read_npy"]["mb_per_second"],
            "reference": r["mb_per_second"],
            "ratio": m["read_npy"]["mb_per_second"] / r["mb_per_second"],
            "files": m["files"], "megabytes": m["bytes"] / 1e6,
            "load_spectrogram_mb_per_second": m["load_spectrogram"]["mb_per_second"],
            "read_raw_mb_per_second": m["read_raw"]["mb_per_second"],
            "memcpy_fresh_mb_per_second": fresh,
            "memcpy_hot_mb_per_second": m["memcpy_hot"]["mb_per_second"],
            "read_npy_vs_memcpy": m["read_npy"]["mb_per_second"] / fresh,
            "load_spectrogram_vs_memcpy": m["load_spectrogram"]["mb_per_second"] / fresh}


def melclass_train(ctx, root, model, epochs, out, extra=None, env=None):
    """Runs melclass train (with `env` added to the environment); returns (Run,
    per-epoch samples/s, summary)."""
    # Loader threads as many as the Python reference's DataLoader worker processes;
    # the network alone (no classic expert blended in, no artist consensus or
    # prior), as the reference predicts;
    # the reference's 10% validation part (train_ref.py --val-fraction), so both
    # train on the same tracks.
    extra = dict({"workers": int(ctx.workers), "classic_blend": 0, "artist_pool": 0,
                  "artist_prior": 0, "artist_tag_mix": 0,
                  "val_fraction": 0.1},
                 **(extra or {}))
    cfg = write_config(ctx, "recipe_" + os.path.basename(out), model, extra)
    p = run([ctx.melclass, "train", "--data", root, "--model", model, "--epochs", epochs,
             "--threads", ctx.threads, "--batch-size", ctx.s["batch"], "--seed", 0,
             "--config", cfg, "--out", out, "--quiet", "--device", ctx.device], ctx.log,
            env=env, gpu=ctx.gpu)
    with open(os.path.join(out, "metrics.jsonl"), encoding="utf-8") as f:
        rates = [json.loads(l)["samples_per_second"] for l in f if l.strip()]
    with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
        summary = json.load(f)
    return p, rates, summary


def python_train(ctx, root, model, epochs, checkpoint=None, extra_args=()):
    argv = ref(ctx, "train_ref.py") + ["--data", root, "--model", model, "--epochs", epochs,
                                       "--threads", ctx.threads, "--workers", ctx.workers,
                                       "--batch-size", ctx.s["batch"],
                                       "--device", ctx.device] + list(extra_args)
    if checkpoint:
        argv += ["--checkpoint", checkpoint]
    p = run(argv, ctx.log, gpu=ctx.gpu)
    return p, p.result()


def overall_rate(rates):
    """Samples/s over all epochs (equal samples per epoch): E / sum(1 / rate_e)."""
    return len(rates) / sum(1.0 / r for r in rates)


CONV2D_MODELS = ("baseline", "crnn", "shortres")  # melclass stores their conv weights channels-last


def train(ctx, model, root, epochs, run_name, channels_last_too=False, autocast="none"):
    """channels_last_too: also time the reference with channels-last weights (a detail;
    the ratio stays against the plain script a user would write). autocast "bf16":
    both sides train under bf16 autocast."""
    out = os.path.join(ctx.work, run_name)
    mp, rates, summary = melclass_train(ctx, root, model, epochs, out,
                                        {"autocast": autocast} if autocast != "none" else None)
    pp, pr = python_train(ctx, root, model, epochs, os.path.join(out, "model.pt"),
                          ["--autocast", autocast] if autocast != "none" else ())
    m_rate = overall_rate(rates)
    extra = {}
    if channels_last_too and model in CONV2D_MODELS:
        _, cl = python_train(ctx, root, model, epochs, extra_args=["--channels-last"])
        extra = {"reference_channels_last": cl["samples_per_second"],
                 "ratio_vs_channels_last_reference": m_rate / cl["samples_per_second"]}
    return {**extra, "unit": "samples/s", "melclass": m_rate, "reference": pr["samples_per_second"],
            "ratio": m_rate / pr["samples_per_second"], "epochs": int(epochs),
            "melclass_epoch_rates": rates,
            "reference_epoch_rates": [e["samples_per_second"] for e in pr["epochs"]],
            "melclass_train_tracks": summary.get("train_tracks"),
            "reference_train_tracks": pr["tracks"], "parameters": pr["parameters"],
            "melclass_parameters": pr["melclass_parameters"],
            "melclass_wait_fraction": summary.get("data_wait_fraction"),
            "reference_wait_fraction": pr["wait_fraction"], "workers": pr["workers"],
            "melclass_wall": mp.wall, "reference_wall": pp.wall,
            "melclass_max_rss_mb": mp.max_rss_mb, "reference_max_rss_mb": pp.max_rss_mb,
            "device": ctx.device, "melclass_gpu": mp.gpu, "reference_gpu": pp.gpu, "run": out}


def read_scores(path):
    with open(path, encoding="utf-8") as f:
        rows = list(csv.reader(f))
    cols = [i for i, c in enumerate(rows[0]) if c.startswith("score_")]
    return {r[0]: np.array([float(r[i]) for i in cols]) for r in rows[1:]}


def compare_scores(a, b):
    """Two read_scores results over the same tracks -> (largest |a - b|, top-1 agreement)."""
    diff = max(float(np.abs(a[k] - b[k]).max()) for k in a)
    return diff, sum(int(a[k].argmax() == b[k].argmax()) for k in a) / len(a)


def predict(ctx, run_dir, root, tag, autocast="none"):
    """melclass predict and predict_ref.py (same weights, same --autocast) on root's test part."""
    m_out = os.path.join(ctx.work, f"pred_{tag}_melclass.json")
    r_out = os.path.join(ctx.work, f"pred_{tag}_python.json")
    mp = run([ctx.melclass, "predict", "--run", run_dir, "--data", root, "--out", m_out,
              "--threads", ctx.threads, "--device", ctx.device, "--autocast", autocast], ctx.log,
             gpu=ctx.gpu)
    m = mp.search(r"predicted (\d+) tracks in ([0-9.]+) s")
    pp = run(ref(ctx, "predict_ref.py") + ["--run", run_dir, "--data", root, "--out", r_out,
                                           "--threads", ctx.threads, "--device", ctx.device,
                                           "--autocast", autocast],
             ctx.log, gpu=ctx.gpu)
    a, b = read_scores(os.path.splitext(m_out)[0] + ".csv"), read_scores(os.path.splitext(r_out)[0] + ".csv")
    diff, agree = compare_scores(a, b)
    return mp, pp, {"tracks": int(m.group(1)), "melclass_seconds": float(m.group(2)),
                    "reference_seconds": pp.result()["seconds"], "max_abs_score_diff": diff,
                    "top1_agreement": agree, "device": ctx.device, "melclass_gpu": mp.gpu,
                    "reference_gpu": pp.gpu}


def predict_rates(ctx, run_dir, tag, autocast="none"):
    """predict on the main dataset's test part predict_repeats times (settings), the two
    sides alternating; tracks/s from each side's median seconds. One pass over a few
    dozen short tracks lasts a fraction of a second, so a single pass swings by +-20%."""
    rounds = [predict(ctx, run_dir, ctx.main_root, tag, autocast)
              for _ in range(ctx.s["predict_repeats"])]
    d = rounds[-1][2]
    m_s = [r[2]["melclass_seconds"] for r in rounds]
    r_s = [r[2]["reference_seconds"] for r in rounds]
    d = dict(d, melclass_seconds=float(np.median(m_s)), reference_seconds=float(np.median(r_s)),
             melclass_seconds_each=m_s, reference_seconds_each=r_s,
             # every pass's scores checked: the worst difference and agreement
             max_abs_score_diff=max(r[2]["max_abs_score_diff"] for r in rounds),
             top1_agreement=min(r[2]["top1_agreement"] for r in rounds))
    m_rate, r_rate = d["tracks"] / d["melclass_seconds"], d["tracks"] / d["reference_seconds"]
    m_wall = float(np.median([r[0].wall for r in rounds]))
    r_wall = float(np.median([r[1].wall for r in rounds]))
    return dict(d, unit="tracks/s", melclass=m_rate, reference=r_rate, ratio=m_rate / r_rate,
                melclass_wall=m_wall, reference_wall=r_wall, wall_ratio=r_wall / m_wall)


def predict_default(ctx, run_dir):
    """The default model's run with its own evaluation recipe (crnn: whole tracks)."""
    return predict_rates(ctx, run_dir, "default")


def predict_full(ctx, run_dir):
    """The tcnet run, chunked evaluation (CHUNKS)."""
    return dict(predict_rates(ctx, run_dir, "main"), chunking=CHUNKS)


def predict_full_bf16(ctx, run_dir):
    """predict_full with both sides under bf16 autocast (--autocast bf16); scores
    compared with the float32 melclass predictions of predict_full when it ran."""
    r = dict(predict_rates(ctx, run_dir, "main_bf16", "bf16"), chunking=CHUNKS)
    fp32 = os.path.join(ctx.work, "pred_main_melclass.csv")
    if os.path.exists(fp32):
        a = read_scores(fp32)
        b = read_scores(os.path.join(ctx.work, "pred_main_bf16_melclass.csv"))
        r["max_abs_diff_vs_float32"], r["top1_agreement_vs_float32"] = compare_scores(a, b)
    return r


def compare_mels(a_dir, b_dir):
    """Largest |a - b| / max |b| over the files of both folders."""
    worst = 0.0
    for name in sorted(os.listdir(b_dir)):
        a, b = np.load(os.path.join(a_dir, name)), np.load(os.path.join(b_dir, name))
        if a.shape != b.shape:
            return float("inf")
        worst = max(worst, float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30)))
    return worst


def mel_extract(ctx):
    m_out, r_out = os.path.join(ctx.work, "mel_melclass"), os.path.join(ctx.work, "mel_python")
    mp = run([ctx.melclass, "extract", ctx.wav_dir, "--out", m_out, "--threads", ctx.threads,
              "--no-progress"], ctx.log)
    m = mp.search(r"extracted (\d+) of \d+ files \(([0-9.]+) s of audio\) in ([0-9.]+) s")
    audio, seconds = float(m.group(2)), float(m.group(3))
    pp = run(ref(ctx, "mel_ref.py") + [ctx.wav_dir, "--out", r_out, "--jobs", ctx.threads],
             ctx.log)
    r = pp.result()
    m_rate, r_rate = audio / seconds, r["audio_seconds_per_second"]
    return {"unit": "audio s/s", "melclass": m_rate, "reference": r_rate, "ratio": m_rate / r_rate,
            "files": int(m.group(1)), "audio_seconds": audio, "melclass_seconds": seconds,
            "reference_seconds": r["seconds"], "reference_jobs": r["jobs"],
            "melclass_wall": mp.wall, "reference_wall": pp.wall,
            "max_relative_difference": compare_mels(m_out, r_out)}
