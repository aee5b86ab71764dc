"""Server-rendered line charts: coordinates for an SVG drawn by `sector/_line_chart.html`, always
beside a GOV.UK table of the same numbers (the chart is hidden from screen readers)."""

import math
from datetime import date


def _nice_top(value: float) -> float:
    """A round number at or above `value` for the top of a count axis (1, 2, 5, 10, 20, ...)."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def line_chart(
    points: list[tuple[date, float]],
    *,
    target: float | None,
    target_date: date,
    rate: bool,
    projected: float | None = None,
    low: float | None = None,
    high: float | None = None,
    width: int = 640,
    height: int = 240,
    labels: bool = True,
) -> dict:
    """The chart's geometry: the values as a line with dots, the target as a dashed line, and a
    projection (with its range) from the last value to the target date when there is one. The
    time axis runs from the first value to the target date, so the distance left shows."""
    if not points:
        return {}
    left, right, top, bottom = (44, 12, 12, 28) if labels else (2, 2, 4, 4)
    plot_w, plot_h = width - left - right, height - top - bottom
    first = points[0][0]
    last_day = max(target_date, points[-1][0])
    span = max(1, (last_day - first).days)
    biggest = max([v for _, v in points] + [target or 0, high or 0, projected or 0])
    y_top = 100.0 if rate else _nice_top(biggest * 1.05)

    def x(day: date) -> float:
        return round(left + (day - first).days * plot_w / span, 1)

    def y(value: float) -> float:
        return round(top + plot_h - min(value, y_top) * plot_h / y_top, 1)

    chart = {
        "width": width,
        "height": height,
        "line": " ".join(f"{x(d)},{y(v)}" for d, v in points),
        # Every value as a dot on a full chart; on a small one only a lone value (no line).
        "dots": [{"x": x(d), "y": y(v)} for d, v in points] if labels or len(points) == 1 else [],
        "axis": {"x1": left, "x2": width - right, "y": y(0), "top": top},
    }
    if target is not None:
        chart["target"] = {"y": y(target), "x1": left, "x2": width - right}
    if projected is not None and low is not None and high is not None:
        last, value = points[-1]
        chart["projection"] = {
            "x1": x(last),
            "y1": y(value),
            "x2": x(target_date),
            "y2": y(projected),
            "band": f"{x(last)},{y(value)} {x(target_date)},{y(high)} {x(target_date)},{y(low)}",
        }
    if labels:
        unit = "%" if rate else ""
        chart["labels"] = {
            "y_top": f"{y_top:g}{unit}",
            "y_zero": f"0{unit}",
            "x_first": f"{first:%b %Y}",
            "x_last": f"{last_day:%b %Y}",
            "y_top_y": top + 4,
            "y_zero_y": y(0) + 4,
            "x_y": height - 6,
            "x_first_x": left,
            "x_last_x": width - right,
            "label_x": left - 6,
        }
    return chart
