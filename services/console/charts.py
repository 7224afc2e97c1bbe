"""Charts as server-rendered SVG: no script, no colour-only meaning (patterns and labels), and always a table of
the same numbers beside them on the page. Pure functions of numbers and words."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class BudgetBar:
    label: str
    spent: int
    reserved: int
    remaining: int

    @property
    def total(self) -> int:
        return self.spent + self.reserved + self.remaining


def budget_chart(bars: Sequence[BudgetBar], *, title: str, description: str, labels: tuple[str, str, str],
                 money: Callable[[int], str], chart_id: str = "budget-chart") -> Markup:
    """Horizontal bars, one per category: spent (solid), reserved (darker), remaining (hatched)."""
    width, label_w, row_h, top = 640, 170, 44, 8
    scale_max = max([b.total for b in bars] + [1])
    plot_w = width - label_w - 10
    height = top + row_h * len(bars) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
             f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>',
             '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
             '<rect width="6" height="6" fill="#fff"/><rect width="3" height="6" fill="#c6c9cb"/></pattern></defs>']
    for i, bar in enumerate(bars):
        y = top + i * row_h
        parts.append(f'<text x="0" y="{y + 24}" font-size="15">{escape(_short(bar.label, 22))}</text>')
        x = float(label_w)
        for amount, css, word in ((bar.spent, "bar-spent", labels[0]), (bar.reserved, "bar-reserved", labels[1]),
                                  (bar.remaining, "bar-remaining", labels[2])):
            w = plot_w * amount / scale_max
            if w > 0:
                tip = f"{escape(bar.label)}: {escape(word)} {escape(money(amount))}"
                parts.append(f'<rect class="{css}" x="{x:.1f}" y="{y + 6}" width="{w:.1f}" height="26" stroke="#212121" '
                             f'stroke-width="1"><title>{tip}</title></rect>')
            x += w
    parts.append("</svg>")
    return Markup("".join(parts))  # every text in it is escaped above


@dataclass(frozen=True)
class AreaChange:
    label: str
    before: float
    after: float


def change_chart(areas: Sequence[AreaChange], *, title: str, description: str, labels: tuple[str, str],
                 chart_id: str = "change-chart") -> Markup:
    """Per self-assessment area, the score at intake (outlined) and the latest (solid), on a 0–10 scale."""
    width, label_w, row_h, top = 640, 200, 52, 22
    plot_w = width - label_w - 40
    height = top + row_h * len(areas) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
             f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>']
    for tick in range(0, 11, 2):
        x = label_w + plot_w * tick / 10
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 4}" stroke="#c6c9cb"/>'
                     f'<text x="{x:.1f}" y="{top - 8}" font-size="13" text-anchor="middle">{tick}</text>')
    for i, area in enumerate(areas):
        y = top + i * row_h
        parts.append(f'<text x="0" y="{y + 28}" font-size="15">{escape(_short(area.label, 26))}</text>')
        for offset, value, css, word in ((4, area.before, "bar-before", labels[0]), (24, area.after, "bar-after", labels[1])):
            w = plot_w * max(0.0, min(10.0, value)) / 10
            parts.append(f'<rect class="{css}" x="{label_w}" y="{y + offset}" width="{max(w, 1):.1f}" height="18">'
                         f'<title>{escape(area.label)}: {escape(word)} {value:g}</title></rect>'
                         f'<text x="{label_w + w + 4:.1f}" y="{y + offset + 14}" font-size="13">{value:g}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # every text in it is escaped above


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as the page's table writes it


def bar_chart(bars: Sequence[Bar], *, title: str, description: str, low: float, high: float,
              reference: float | None = None, chart_id: str) -> Markup:
    """One horizontal bar per row on a fixed scale from ``low`` to ``high``, drawn from ``reference`` (or
    ``low``) so that a value below it points left: a share of a plan (0–1), a mean T-score around 50, a mean
    change around 0. Each bar carries its value written out, so no colour or length alone says it."""
    width, label_w, row_h, top = 640, 200, 34, 22
    plot_w = width - label_w - 70
    height = top + row_h * len(bars) + 8
    base = low if reference is None else reference

    def x_of(value: float) -> float:
        return label_w + plot_w * (max(low, min(high, value)) - low) / ((high - low) or 1)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
             f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>',
             f'<line x1="{x_of(base):.1f}" y1="{top - 6}" x2="{x_of(base):.1f}" y2="{height - 4}" stroke="#212121"/>',
             f'<text x="{x_of(base):.1f}" y="{top - 9}" font-size="13" text-anchor="middle">{base:g}</text>']
    for i, bar in enumerate(bars):
        y = top + i * row_h
        start, end = sorted((x_of(base), x_of(bar.value)))
        parts.append(f'<text x="0" y="{y + 20}" font-size="15">{escape(_short(bar.label, 26))}</text>'
                     f'<rect class="bar-after" x="{start:.1f}" y="{y + 5}" width="{max(end - start, 1):.1f}" height="20">'
                     f'<title>{escape(bar.label)}: {escape(bar.text)}</title></rect>'
                     f'<text x="{max(end, x_of(base)) + 4:.1f}" y="{y + 20}" font-size="13">{escape(bar.text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # every text in it is escaped above
