"""The `allocator` table (no ratio): melclass training with its memory settings
(caching CPU allocator + glibc mallopt thresholds, core/runtime.h
configure_allocator) against the same training with glibc's defaults, one after
the other on the same data. Same seed: the losses must be equal."""

import json
import os

import cases

# MELCLASS_CACHING_ALLOCATOR=0 turns the cache off; any GLIBC_TUNABLES value
# makes melclass leave glibc's thresholds alone (malloc.check=0 changes nothing).
GLIBC_DEFAULTS = {"MELCLASS_CACHING_ALLOCATOR": "0", "GLIBC_TUNABLES": "glibc.malloc.check=0"}


def train(ctx, root, model, epochs, tag, env):
    out = os.path.join(ctx.work, f"run_allocator_{model}_{tag}")
    p, rates, _ = cases.melclass_train(ctx, root, model, epochs, out, env=env)
    with open(os.path.join(out, "metrics.jsonl"), encoding="utf-8") as f:
        losses = [json.loads(line)["train_loss"] for line in f if line.strip()]
    return {"samples_per_second": cases.overall_rate(rates),
            "after_first_epoch": cases.overall_rate(rates[1:]) if len(rates) > 1 else None,
            "wall": p.wall, "max_rss_mb": p.max_rss_mb, "losses": losses}


def compare(ctx):
    rows = []
    for model, root, epochs in (("baseline", ctx.baseline_root, max(2, ctx.s["baseline_epochs"])),
                                (ctx.default_model, ctx.main_root, ctx.s["default_epochs"])):
        glibc = train(ctx, root, model, epochs, "glibc", GLIBC_DEFAULTS)
        ours = train(ctx, root, model, epochs, "melclass", None)
        rows.append({"model": model, "epochs": epochs, "glibc_defaults": glibc, "melclass": ours,
                     "speedup": ours["samples_per_second"] / glibc["samples_per_second"],
                     "same_losses": glibc["losses"] == ours["losses"]})
    return rows


def print_table(log, rows):
    log.say("\nmelclass training, its memory settings vs glibc's defaults (samples/s, peak MB)")
    for r in rows:
        g, m = r["glibc_defaults"], r["melclass"]
        log.say(f"{r['model']:>9} {r['epochs']:>2} epochs | glibc defaults "
                f"{g['samples_per_second']:7.1f} {g['max_rss_mb']:6.0f} MB | melclass "
                f"{m['samples_per_second']:7.1f} {m['max_rss_mb']:6.0f} MB | x{r['speedup']:.2f}"
                f" | same losses: {r['same_losses']}")
