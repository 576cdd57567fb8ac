"""melclass's models in PyTorch-Python, layer for layer (src/melclass/models/).

Module and parameter names follow the C++ modules, so a melclass checkpoint
loads into these with load_state_dict(strict=True): that is the check that the
architectures are the same, besides the parameter count.
"""

import math

import torch
from torch import nn


class TcBlock(nn.Module):
    def __init__(self, cin, cout, kernel, stride):
        super().__init__()
        pad = kernel // 2
        self.conv1 = nn.Conv1d(cin, cout, kernel, stride=stride, padding=pad, bias=False)
        self.bn1 = nn.BatchNorm1d(cout)
        self.conv2 = nn.Conv1d(cout, cout, kernel, padding=pad, bias=False)
        self.bn2 = nn.BatchNorm1d(cout)
        self.shortcut = nn.Conv1d(cin, cout, 1, stride=stride, bias=False)
        self.bn_shortcut = nn.BatchNorm1d(cout)

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + self.bn_shortcut(self.shortcut(x)))


class TcNet(nn.Module):
    """tcnet: input BatchNorm per band, Conv1d stem, 3 residual blocks, mean+max pool."""

    def __init__(self, n_mels, n_classes, dropout=0.3):
        super().__init__()
        stem, widths = 96, (128, 160, 192)
        self.input_norm = nn.BatchNorm1d(n_mels)
        self.stem = nn.Conv1d(n_mels, stem, 3, padding=1, bias=False)
        self.stem_bn = nn.BatchNorm1d(stem)
        blocks, cin = [], stem
        for w in widths:
            blocks.append(TcBlock(cin, w, 9, 2))
            cin = w
        self.blocks = nn.ModuleList(blocks)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(2 * cin, n_classes)

    def forward(self, x):
        x = torch.relu(self.stem_bn(self.stem(self.input_norm(x))))
        for block in self.blocks:
            x = block(x)
        x = torch.cat([x.mean(2), x.amax(2)], 1)
        return self.head(self.dropout(x))


class BaselineCnn(nn.Module):
    """The AI Rush 2020 kit baseline: 5 x [Conv3x3, BN, ReLU, MaxPool], FC 1024-256-C."""

    def __init__(self, n_mels, n_classes, dropout=0.5):
        super().__init__()
        channels = (64, 128, 256, 512, 1024)
        pools = ((2, 2), (2, 4), (2, 4), (4, 4), (4, 8))
        layers, cin = [], 1
        for c, p in zip(channels, pools):
            layers += [nn.Conv2d(cin, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU(),
                       nn.MaxPool2d(p)]
            cin = c
        self.features = nn.Sequential(*layers)
        self.fc1 = nn.Linear(1024, 256)
        self.dropout = nn.Dropout(dropout)
        self.fc2 = nn.Linear(256, n_classes)

    def forward(self, x):
        x = self.features(x.unsqueeze(1)).amax((2, 3))
        return self.fc2(self.dropout(torch.relu(self.fc1(x))))


def pooled_stats(x):
    """[B, F, T] -> [B, 3F]: per-band mean, std (divisor T), mean |frame difference|."""
    mean = x.mean(2)
    std = (x - mean.unsqueeze(2)).square().mean(2).sqrt()
    t = x.shape[2]
    flux = (x[:, :, 1:] - x[:, :, :-1]).abs().mean(2) if t > 1 else torch.zeros_like(mean)
    return torch.cat([mean, std, flux], 1)


def rhythm_stats(x):
    """[B, F, T] -> [B, 164]: modulation spectrum, onset autocorrelation, loudness."""
    b, _, t = x.shape
    g = nn.functional.adaptive_avg_pool2d(x.unsqueeze(1), (8, t)).squeeze(1)
    if t < 256:
        g = nn.functional.pad(g, (0, 256 - t))
    w = g.unfold(2, 256, 128)
    w = w - w.mean(-1, keepdim=True)
    hann = torch.hann_window(256, periodic=False, dtype=x.dtype)
    mag = torch.fft.rfft(w * hann, dim=-1).abs().mean(2)
    mod = mag[:, :, 1:65].reshape(b, 8, 16, 4).mean(-1).log1p().reshape(b, -1)
    onset = ((x[:, :, 1:] - x[:, :, :-1]).clamp_min(0).mean(1) if t > 1
             else torch.zeros(b, 1, dtype=x.dtype))
    onset = onset - onset.mean(1, keepdim=True)
    if onset.shape[1] < 128:
        onset = nn.functional.pad(onset, (0, 128 - onset.shape[1]))
    n = 2 * onset.shape[1]
    spec = torch.fft.rfft(onset, n=n, dim=1)
    ac = torch.fft.irfft(spec * spec.conj(), n=n, dim=1)[:, :128]
    ac = (ac / (ac[:, :1] + 1e-9))[:, 4:128].reshape(b, 31, 4).mean(-1)
    e = x.mean(1)
    q = torch.quantile(e, torch.tensor([0.1, 0.9], dtype=x.dtype), dim=1).t()
    change = ((e[:, 1:] - e[:, :-1]).abs().mean(1, keepdim=True) if t > 1
              else torch.zeros(b, 1, dtype=x.dtype))
    loud = torch.cat([e.mean(1, keepdim=True), e.std(1, unbiased=False, keepdim=True), q, change], 1)
    return torch.cat([mod, ac, loud], 1)


class StatsExt(nn.Module):
    """stats_ext: pooled_stats + rhythm_stats -> BatchNorm (no affine) -> Dropout -> Linear."""

    def __init__(self, n_mels, n_classes, dropout=0.2):
        super().__init__()
        features = 3 * n_mels + 164
        self.feature_norm = nn.BatchNorm1d(features, affine=False)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(features, n_classes)

    def forward(self, x):
        f = torch.cat([pooled_stats(x), rhythm_stats(x)], 1)
        return self.head(self.dropout(self.feature_norm(f)))


class Crnn(nn.Module):
    """crnn: input BN per band -> 4 x [Conv2d 3x3, BN, ELU, MaxPool (ceil)] -> max over
    frequency -> BiGRU(64) -> attention pooling over time -> Dropout -> Linear."""

    CHANNELS, STRIDES = (16, 32, 64, 128), (2, 1, 1, 1)
    POOLS = ((1, 1), (2, 2), (4, 2), (4, 2))

    def __init__(self, n_mels, n_classes, dropout=0.3):
        super().__init__()
        self.input_norm = nn.BatchNorm1d(n_mels, affine=False)
        convs, bns, cin = [], [], 1
        for c, s in zip(self.CHANNELS, self.STRIDES):
            convs.append(nn.Conv2d(cin, c, 3, stride=s, padding=1, bias=False))
            bns.append(nn.BatchNorm2d(c))
            cin = c
        self.convs, self.bns = nn.ModuleList(convs), nn.ModuleList(bns)
        self.gru = nn.GRU(cin, 64, batch_first=True, bidirectional=True)
        self.score = nn.Linear(128, 1, bias=False)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(128, n_classes)

    def forward(self, x):
        x = self.input_norm(x).unsqueeze(1)
        for conv, bn, pool in zip(self.convs, self.bns, self.POOLS):
            x = nn.functional.elu(bn(conv(x)))
            if pool[0] * pool[1] > 1:
                x = nn.functional.max_pool2d(x, pool, ceil_mode=True)
        h = self.gru(x.amax(2).transpose(1, 2).contiguous())[0]
        w = torch.softmax(self.score(h), 1)
        return self.head(self.dropout((w * h).sum(1)))


# Per model: constructor and the training recipe melclass uses by default
# (src/melclass/models/{tcnet,crnn,baseline,stats}.cpp), augmentation off.
RECIPES = {
    "tcnet": dict(make=TcNet, dropout=0.3, train_frames=256, train_crop="random",
                  optimizer="adamw", lr=2e-3, weight_decay=1e-2, scheduler="cosine"),
    "crnn": dict(make=Crnn, dropout=0.3, train_frames=256, train_crop="random",
                 optimizer="adamw", lr=2e-3, weight_decay=1e-2, scheduler="cosine"),
    "stats_ext": dict(make=StatsExt, dropout=0.2, train_frames=900, train_crop="random",
                      optimizer="adamw", lr=1e-2, weight_decay=1e-2, scheduler="cosine"),
    "baseline": dict(make=BaselineCnn, dropout=0.5, train_frames=1200, train_crop="head",
                     optimizer="sgd", lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-6,
                     scheduler="plateau"),
}


def make_model(name, n_mels, n_classes):
    r = RECIPES[name]
    return r["make"](n_mels, n_classes, r["dropout"])


def make_optimizer(name, model):
    r = RECIPES[name]
    if r["optimizer"] == "sgd":
        return torch.optim.SGD(model.parameters(), lr=r["lr"], momentum=r["momentum"],
                               nesterov=r["nesterov"], weight_decay=r["weight_decay"])
    return torch.optim.AdamW(model.parameters(), lr=r["lr"], weight_decay=r["weight_decay"])


def cosine_lr(peak, step, total):
    """melclass's schedule: 5 % linear warmup, then cosine to 0 (trainer.cpp lr_at)."""
    warmup = max(1, total // 20)
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return peak * 0.5 * (1.0 + math.cos(math.pi * progress))
