#!/usr/bin/python3
"""Python reference for `melclass extract` (bench: mel_extract).

16-bit PCM WAV (stdlib `wave`; Debian's Python has no soundfile) -> float32
mono -> torch.stft (n_fft 1024, hop 512, periodic Hann, centred frames with
zero padding) -> power 2 -> 128 Slaney-scale bands with Slaney area
normalisation, 0-8000 Hz (filterbank in NumPy after librosa.filters.mel) ->
float32 [1, 128, T] .npy per file. 16 kHz input only (no resampler here).
--jobs N converts N files at once in worker processes, each with one torch
thread (melclass extract runs N files at once the same way); --jobs 0 runs
the files one after the other in this process with --threads torch threads.
Timed from before the pool starts to the last file written. Prints a RESULT line.
"""

import argparse
import multiprocessing
import os
import sys
import wave

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

SR, N_FFT, HOP, N_MELS, F_MIN, F_MAX = 16000, 1024, 512, 128, 0.0, 8000.0
F_SP, MIN_LOG_HZ = 200.0 / 3.0, 1000.0
MIN_LOG_MEL, LOGSTEP = MIN_LOG_HZ / F_SP, np.log(6.4) / 27.0


def hz_to_mel(hz):
    hz = np.asarray(hz, dtype=np.float64)
    return np.where(hz >= MIN_LOG_HZ,
                    MIN_LOG_MEL + np.log(np.maximum(hz, 1e-300) / MIN_LOG_HZ) / LOGSTEP, hz / F_SP)


def mel_to_hz(mel):
    mel = np.asarray(mel, dtype=np.float64)
    return np.where(mel >= MIN_LOG_MEL, MIN_LOG_HZ * np.exp(LOGSTEP * (mel - MIN_LOG_MEL)),
                    mel * F_SP)


def mel_filterbank():
    """[N_MELS, N_FFT // 2 + 1] float32 triangles between mel-spaced edges, area-normalised."""
    fft_hz = np.linspace(0.0, SR / 2.0, N_FFT // 2 + 1)
    edges = mel_to_hz(np.linspace(hz_to_mel(F_MIN), hz_to_mel(F_MAX), N_MELS + 2))
    width = np.diff(edges)
    ramps = edges[:, None] - fft_hz[None, :]
    weights = np.maximum(0.0, np.minimum(-ramps[:-2] / width[:-1, None], ramps[2:] / width[1:, None]))
    return torch.from_numpy((weights * (2.0 / (edges[2:] - edges[:-2]))[:, None]).astype(np.float32))


FILTERBANK = mel_filterbank()
WINDOW = torch.hann_window(N_FFT, periodic=True)


def read_wav(path):
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2 or w.getframerate() != SR:
            raise ValueError(f"{path}: need 16-bit PCM at {SR} Hz")
        channels = w.getnchannels()
        raw = w.readframes(w.getnframes())
    x = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        x = x.reshape(-1, channels).mean(1)
    return torch.from_numpy(x)


def mel(wave_tensor):
    spec = torch.stft(wave_tensor, N_FFT, HOP, window=WINDOW, center=True, pad_mode="constant",
                      return_complex=True)
    power = spec.real.square() + spec.imag.square()  # |X|^2, [bins, T]
    return (FILTERBANK @ power).unsqueeze(0)


def convert(job):
    src, dst = job
    x = read_wav(src)
    np.save(dst, mel(x).numpy())
    return len(x) / SR


def init_worker():
    torch.set_num_threads(1)


def collect(inputs, out):
    jobs = []
    for root in inputs:
        for folder, _, names in os.walk(root):
            for name in sorted(names):
                if name.lower().endswith(".wav"):
                    rel = os.path.relpath(folder, root)
                    dst_dir = os.path.normpath(os.path.join(out, rel))
                    os.makedirs(dst_dir, exist_ok=True)
                    jobs.append((os.path.join(folder, name),
                                 os.path.join(dst_dir, os.path.splitext(name)[0] + ".npy")))
    return sorted(jobs)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    p.add_argument("inputs", nargs="+", help="folders of .wav files (recursed)")
    p.add_argument("--out", required=True)
    p.add_argument("--jobs", type=int, default=2, help="files at once (processes); 0 = in-process")
    p.add_argument("--threads", type=int, default=2, help="torch threads when --jobs 0")
    a = p.parse_args()
    jobs = collect(a.inputs, a.out)
    with common.Timer() as timer:
        if a.jobs > 0:
            with multiprocessing.Pool(a.jobs, initializer=init_worker) as pool:
                seconds = sum(pool.imap_unordered(convert, jobs, chunksize=1))
        else:
            common.set_threads(a.threads)
            seconds = sum(convert(j) for j in jobs)
    print(f"extracted {len(jobs)} files ({seconds:.1f} s of audio) in {timer.seconds:.2f} s")
    common.emit({"files": len(jobs), "audio_seconds": seconds, "seconds": timer.seconds,
                 "jobs": a.jobs, "threads": a.threads if a.jobs == 0 else 1,
                 "audio_seconds_per_second": seconds / timer.seconds})


if __name__ == "__main__":
    main()
