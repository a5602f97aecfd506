"""Charts of the DOCX and PDF documents, drawn with matplotlib (Agg) in CJK fonts; PNG bytes."""

from __future__ import annotations

import io
import threading
from typing import Any

_lock = threading.Lock()  # pyplot's state is global: one chart at a time per process

FONTS = ["Noto Sans CJK SC", "WenQuanYi Micro Hei", "DejaVu Sans"]
BLUE, GREY, ORANGE, GREEN = "#1f6fd1", "#b8c2cf", "#d98a00", "#2c9a4b"


def _setup() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    plt.rcParams["font.sans-serif"] = FONTS
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["axes.unicode_minus"] = False
    plt.rcParams["font.size"] = 10
    return plt


def render(key: str, data: dict[str, Any]) -> bytes:
    with _lock:
        plt = _setup()
        fig, ax = plt.subplots(figsize=(6.4, 3.4), dpi=180)
        try:
            {"funds": _funds, "completion": _completion, "progress": _progress}[key](ax, data)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            fig.tight_layout()
            out = io.BytesIO()
            fig.savefig(out, format="png")
            return out.getvalue()
        finally:
            plt.close(fig)


def _funds(ax: Any, data: dict[str, Any]) -> None:
    labels = data["labels"]
    x = range(len(labels))
    width = 0.38
    ax.bar([i - width / 2 for i in x], data["budget"], width, label="预算数", color=GREY)
    bars = ax.bar([i + width / 2 for i in x], data["spent"], width, label="实际支出", color=BLUE)
    for bar, value in zip(bars, data["spent"], strict=True):
        ax.annotate(
            f"{value:g}",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=7,
        )
    ax.set_xticks(list(x))
    ax.set_xticklabels(labels, rotation=20, ha="right", fontsize=8)
    ax.set_ylabel("万元")
    ax.legend(frameon=False, fontsize=8)


def _completion(ax: Any, data: dict[str, Any]) -> None:
    labels = data["labels"]
    ratio = data["ratio"]
    y = list(range(len(labels)))[::-1]
    colors = [GREEN if r >= 100 else ORANGE for r in ratio]
    bars = ax.barh(y, ratio, color=colors, height=0.6)
    ax.axvline(100, color="#606266", linewidth=0.8, linestyle="--")
    for bar, _r, actual, target in zip(bars, ratio, data["actual"], data["target"], strict=True):
        ax.annotate(
            f"{actual:g}/{target:g}",
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
        )
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_xlabel("实际完成÷合同目标（%）")
    ax.set_xlim(0, max([110.0] + [r * 1.18 for r in ratio]))


def _progress(ax: Any, data: dict[str, Any]) -> None:
    series = data["series"]
    palette = [BLUE, GREEN, ORANGE, "#8e44ad", "#c0392b", "#16a085"]
    labels = series[0]["labels"] if series else []
    x = list(range(len(labels)))
    for i, s in enumerate(series):
        target = s["target"] or 1
        actual = [None if v is None else v * 100 / target for v in s["actual"]]
        color = palette[i % len(palette)]
        points = [(xi, v) for xi, v in zip(x, actual, strict=True) if v is not None]
        if points:
            ax.plot(
                [p[0] for p in points],
                [p[1] for p in points],
                marker="o",
                markersize=3,
                color=color,
                label=s["name"],
                linewidth=1.4,
            )
    if series:
        first = series[0]
        target = first["target"] or 1
        ax.plot(
            x,
            [v * 100 / target for v in first["planned"]],
            color="#909399",
            linestyle="--",
            linewidth=1,
            label="计划进度",
        )
    ax.set_xticks(x)
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_ylabel("占年度目标（%）")
    ax.set_ylim(0, 115)
    ax.legend(frameon=False, fontsize=7, ncol=2)
