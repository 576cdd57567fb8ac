"""Running the programs under comparison: wall time, peak memory, output, RESULT lines."""

import json
import os
import re
import shutil
import subprocess
import sys
import time

PYTHON = sys.executable  # bench/run.sh starts the harness with the reference's Python


class CommandFailed(RuntimeError):
    pass


class Run:
    """One finished command: wall seconds, peak RSS of the largest process (MB), output."""

    def __init__(self, argv, wall, max_rss_mb, output, status):
        self.argv, self.wall, self.max_rss_mb = argv, wall, max_rss_mb
        self.output, self.status = output, status
        self.gpu = None  # {"utilization_mean", "utilization_max", "memory_max_mb"} under gpu=True

    def result(self):
        """The JSON of the last `RESULT {...}` line (bench programs, reference scripts)."""
        lines = [l for l in self.output.splitlines() if l.startswith("RESULT ")]
        if not lines:
            raise CommandFailed(f"no RESULT line from {' '.join(self.argv)}")
        return json.loads(lines[-1][len("RESULT "):])

    def search(self, pattern):
        m = re.search(pattern, self.output)
        if not m:
            raise CommandFailed(f"unexpected output of {' '.join(self.argv)}: no /{pattern}/")
        return m


class GpuSampler:
    """nvidia-smi sampling GPU 0's utilisation and memory every 200 ms while a command runs."""

    def __init__(self):
        self.proc = None
        if shutil.which("nvidia-smi"):
            self.proc = subprocess.Popen(
                ["nvidia-smi", "--id=0", "--query-gpu=utilization.gpu,memory.used",
                 "--format=csv,noheader,nounits", "-lms", "200"],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def stop(self):
        if not self.proc:
            return None
        self.proc.terminate()
        out, _ = self.proc.communicate()
        rows = []
        for line in out.splitlines():
            try:
                rows.append([float(v) for v in line.split(",")])
            except ValueError:
                continue
        if not rows:
            return None
        util = [r[0] for r in rows]
        return {"utilization_mean": sum(util) / len(util), "utilization_max": max(util),
                "memory_max_mb": max(r[1] for r in rows), "samples": len(rows)}


def run(argv, log, env=None, cwd=None, gpu=False):
    """Runs argv to completion with its output in a pipe; peak memory from wait4's
    rusage (ru_maxrss: the largest single process of the tree, as GNU time -v).
    gpu=True samples the GPU's utilisation while it runs (Run.gpu; None without nvidia-smi)."""
    log.write("$ " + " ".join(str(a) for a in argv) + "\n")
    log.flush()
    full_env = dict(os.environ, **(env or {}))
    sampler = GpuSampler() if gpu else None
    start = time.perf_counter()
    p = subprocess.Popen([str(a) for a in argv], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         env=full_env, cwd=cwd)
    chunks = []
    for line in iter(p.stdout.readline, b""):
        chunks.append(line)
        log.write(line.decode("utf-8", "replace"))
    p.stdout.close()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    log.flush()
    r = Run([str(a) for a in argv], wall, usage.ru_maxrss / 1024.0,
            b"".join(chunks).decode("utf-8", "replace"), p.returncode)
    r.gpu = sampler.stop() if sampler else None
    if p.returncode != 0:
        raise CommandFailed(f"exit status {p.returncode}: {' '.join(r.argv)}\n"
                            + "\n".join(r.output.splitlines()[-15:]))
    return r


class Log:
    """Everything the programs print goes to the log file; details and ratio lines
    also go to stdout."""

    def __init__(self, path):
        self.file = open(path, "w", encoding="utf-8")

    def write(self, text):
        self.file.write(text)

    def flush(self):
        self.file.flush()

    def say(self, text=""):
        print(text, flush=True)
        self.file.write(text + "\n")
        self.file.flush()


def machine_info():
    info = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            names = [l.split(":", 1)[1].strip() for l in f if l.startswith("model name")]
        info["cpu"] = names[0] if names else "?"
        with open("/proc/meminfo", encoding="utf-8") as f:
            info["memory_gb"] = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    # OpenMP's waiting policy matters a lot on a busy machine (docs/benchmarks.md).
    info["environment"] = {k: os.environ[k] for k in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS",
                                                      "GOMP_SPINCOUNT") if k in os.environ}
    return info
