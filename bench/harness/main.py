"""bench/run.sh's driver: makes the data, runs every comparison, prints the ratio
lines and writes the JSON summary. See docs/benchmarks.md."""

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import allocator  # noqa: E402
import cases  # noqa: E402
import scaling  # noqa: E402
from proc import Log, machine_info, run  # noqa: E402

# Sizes of the generated data and runs. quick: under 10 minutes on 2 idle cores.
SETTINGS = {
    "quick": dict(main_tracks=160, main_seconds=(10, 40), default_epochs=6, stats_epochs=12,
                  baseline_tracks=40, baseline_seconds=(20, 45), baseline_epochs=2,
                  wav_count=48, wav_seconds=60, npy_passes=20, lengths=[30, 120, 600],
                  length_tracks=8, sizes=[1000, 10000], size_seconds=(1, 2), size_frames=32,
                  size_python=False, batch=16, predict_repeats=5),
    "full": dict(main_tracks=400, main_seconds=(10, 60), default_epochs=10, stats_epochs=20,
                 baseline_tracks=120, baseline_seconds=(20, 60), baseline_epochs=2,
                 wav_count=128, wav_seconds=60, npy_passes=30, lengths=[30, 60, 120, 300, 600],
                 length_tracks=16, sizes=[1000, 10000], size_seconds=(2, 4), size_frames=64,
                 size_python=True, batch=16, predict_repeats=5),
}
NAMES = ["npy_load", "train_baseline", "train_default", "train_default_bf16", "train_tcnet",
         "predict_full", "predict_full_bf16", "predict_default", "mel_extract", "scaling",
         "allocator"]


class Context:
    pass


def parse_args():
    p = argparse.ArgumentParser(description="melclass vs Python reference benchmarks")
    p.add_argument("--build", required=True, help="build folder holding melclass and bench/")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--workers", type=int, default=-1,
                   help="loader threads / DataLoader workers (default: threads)")
    p.add_argument("--out", help="summary JSON (default bench/results/<timestamp>.json)")
    p.add_argument("--work", help="folder for generated data (default bench/work/<timestamp>)")
    p.add_argument("--keep", action="store_true", help="keep the generated data")
    p.add_argument("--only", help="comma-separated subset of: " + ",".join(NAMES))
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"],
                   help="where both sides train and predict (npy, mel and scaling stay on the CPU)")
    return p.parse_args()


def make_context(a):
    ctx = Context()
    ctx.bench_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    ctx.work = os.path.abspath(a.work or os.path.join(ctx.bench_dir, "work", stamp))
    ctx.out = os.path.abspath(a.out or os.path.join(ctx.bench_dir, "results", stamp + ".json"))
    os.makedirs(ctx.work, exist_ok=True)
    os.makedirs(os.path.dirname(ctx.out), exist_ok=True)
    ctx.melclass = os.path.join(a.build, "melclass")
    ctx.bench_npy = os.path.join(a.build, "bench", "melclass_bench_npy")
    ctx.bench_wavs = os.path.join(a.build, "bench", "melclass_bench_wavs")
    ctx.threads = str(a.threads)
    ctx.device, ctx.gpu = a.device, a.device == "cuda"
    ctx.workers = str(a.workers if a.workers >= 0 else a.threads)
    ctx.mode = "quick" if a.quick else "full"
    ctx.s = SETTINGS[ctx.mode]
    ctx.log = Log(os.path.splitext(ctx.out)[0] + ".log")
    ctx.default_model = default_model(ctx.melclass)
    return ctx


def default_model(melclass):
    """The model `melclass train` uses without --model, read from its --help."""
    text = subprocess.run([melclass, "train", "--help"], capture_output=True, text=True,
                          check=True).stdout
    m = re.search(r"--model TEXT[^\n]*\(default (\w+)\)", text)
    if not m:
        raise RuntimeError("bench: no '(default NAME)' in `melclass train --help`'s --model line")
    return m.group(1)


def make_data(ctx, names):
    """The datasets every comparison reads, made by the project itself."""
    s, t0 = ctx.s, time.perf_counter()
    ctx.main_root = os.path.join(ctx.work, "main")
    if names & {"npy_load", "train_default", "train_default_bf16", "train_tcnet", "predict_full",
                 "predict_full_bf16", "predict_default", "scaling", "allocator"}:
        scaling.synth(ctx, ctx.main_root, s["main_tracks"], *s["main_seconds"])
    ctx.baseline_root = os.path.join(ctx.work, "baseline")
    if names & {"train_baseline", "allocator"}:
        scaling.synth(ctx, ctx.baseline_root, s["baseline_tracks"], *s["baseline_seconds"], seed=1)
    ctx.wav_dir = os.path.join(ctx.work, "wav")
    if "mel_extract" in names:
        run([ctx.bench_wavs, ctx.wav_dir, "--count", s["wav_count"], "--seconds",
             s["wav_seconds"]], ctx.log)
    ctx.log.say(f"data generated in {time.perf_counter() - t0:.1f} s under {ctx.work}")


def describe(name, r):
    keys = [k for k in r if k not in ("unit", "melclass", "reference", "ratio")]
    detail = ", ".join(f"{k}={r[k]:.4g}" if isinstance(r[k], float) else f"{k}={r[k]}"
                       for k in keys if not isinstance(r[k], (dict, list)))
    gpu = ""
    if r.get("melclass_gpu") or r.get("reference_gpu"):
        util = [f"{side} {r[side + '_gpu']['utilization_mean']:.0f}% "
                f"(peak memory {r[side + '_gpu']['memory_max_mb']:.0f} MB)"
                for side in ("melclass", "reference") if r.get(side + "_gpu")]
        gpu = "\n    GPU utilisation: " + ", ".join(util)
    return (f"{name}: melclass {r['melclass']:.1f} {r['unit']}, python {r['reference']:.1f} "
            f"{r['unit']}\n    {detail}{gpu}")


def run_comparisons(ctx, names):
    results, errors = {}, {}
    tc_run = os.path.join(ctx.work, "run_train_tcnet")
    default_run = os.path.join(ctx.work, "run_train_default")
    steps = [
        ("npy_load", lambda: cases.npy_load(ctx)),
        ("train_baseline", lambda: cases.train(ctx, "baseline", ctx.baseline_root,
                                               ctx.s["baseline_epochs"], "run_train_baseline")),
        # stats models take ~1 ms per track: more epochs for a measurable window.
        ("train_default", lambda: cases.train(
            ctx, ctx.default_model, ctx.main_root,
            ctx.s["stats_epochs" if ctx.default_model.startswith("stats") else "default_epochs"],
            "run_train_default", channels_last_too=True)),
        ("train_default_bf16", lambda: cases.train(
            ctx, ctx.default_model, ctx.main_root, ctx.s["default_epochs"],
            "run_train_default_bf16", autocast="bf16")),
        ("train_tcnet", lambda: cases.train(ctx, "tcnet", ctx.main_root,
                                            ctx.s["default_epochs"], "run_train_tcnet")),
        ("predict_full", lambda: cases.predict_full(ctx, tc_run)),
        ("predict_full_bf16", lambda: cases.predict_full_bf16(ctx, tc_run)),
        ("predict_default", lambda: cases.predict_default(ctx, default_run)),
        ("mel_extract", lambda: cases.mel_extract(ctx)),
    ]
    if names & {"predict_full", "predict_full_bf16", "scaling"}:
        names = names | {"train_tcnet"}  # its run folder is the model they predict with
    if "predict_default" in names:
        names = names | {"train_default"}
    for name, fn in steps:
        if name not in names:
            continue
        ctx.log.say(f"\n== {name}")
        try:
            results[name] = fn()
            ctx.log.say(describe(name, results[name]))
        except Exception as e:  # report and go on with the other comparisons
            errors[name] = str(e)
            ctx.log.say(f"{name}: FAILED: {e}")
            ctx.log.write(traceback.format_exc())
    if "scaling" in names:
        ctx.log.say("\n== scaling")
        try:
            lengths = scaling.track_length(ctx, tc_run)
            sizes = scaling.dataset_size(ctx)
            scaling.print_tables(ctx.log, lengths, sizes)
            results["scaling"] = {"track_length": lengths, "dataset_size": sizes}
        except Exception as e:
            errors["scaling"] = str(e)
            ctx.log.say(f"scaling: FAILED: {e}")
            ctx.log.write(traceback.format_exc())
    if "allocator" in names:
        ctx.log.say("\n== allocator")
        try:
            results["allocator"] = allocator.compare(ctx)
            allocator.print_table(ctx.log, results["allocator"])
        except Exception as e:
            errors["allocator"] = str(e)
            ctx.log.say(f"allocator: FAILED: {e}")
            ctx.log.write(traceback.format_exc())
    return results, errors


def main():
    a = parse_args()
    ctx = make_context(a)
    names = set(NAMES if not a.only else a.only.split(","))
    unknown = names - set(NAMES)
    if unknown:
        sys.exit(f"bench: unknown comparison(s): {', '.join(sorted(unknown))}")
    start = time.perf_counter()
    info = machine_info()
    ctx.log.say(f"melclass benchmarks ({ctx.mode}), {ctx.threads} threads, data-loading workers "
                f"{ctx.workers}; default model {ctx.default_model}; {info.get('cpu', '?')}, {info['cpus']} CPUs, load average "
                f"{info['load_average']}; environment {info['environment'] or 'default'}")
    make_data(ctx, names)
    results, errors = run_comparisons(ctx, names)
    ctx.log.say("")
    for name in NAMES:
        if name in results and "ratio" in results[name]:
            ctx.log.say(f"ratio {name} {results[name]['ratio']:.3f}")
    info["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    summary = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "mode": ctx.mode,
               "threads": int(ctx.threads), "workers": int(ctx.workers), "machine": info,
               "device": ctx.device,
               "default_model": ctx.default_model,
               "settings": ctx.s, "seconds": time.perf_counter() - start,
               "ratios": {n: r["ratio"] for n, r in results.items() if "ratio" in r},
               "results": results, "errors": errors}
    with open(ctx.out, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)
    ctx.log.say(f"summary: {ctx.out} (log beside it); {summary['seconds']:.0f} s in all")
    if not a.keep:
        shutil.rmtree(ctx.work, ignore_errors=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
