"""Helpers shared by the views: figures and tables into Output widgets without a kernel."""
from __future__ import annotations

import base64
import html
import io


LABEL = {"description_width": "initial"}   # a control's label is never cut ("segment by", "cooldown (min)")


def subplots(figsize):
    """A figure and its axes outside pyplot: no global figure list to leak into, and no pyplot
    import (half a second of the first view)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def fit(fig):
    """Margins that hold every label, tick and legend inside the canvas (one layout pass).

    Fixed margins cut long tick labels (``error_rate`` on a y axis, the last date on an x axis);
    the figure's tight bounding box, which the tests compare with the canvas, decides instead.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)   # colorbar axes: laid out around, not inside
        fig.tight_layout(pad=0.4)
    return fig


def figure_output(fig, dpi=72) -> dict:
    """A display_data message (PNG and a text fallback) for ``Output.outputs``; closes ``fig``."""
    fit(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    if getattr(fig.canvas, "manager", None) is not None:   # made by pyplot: release it there too
        import matplotlib.pyplot as plt

        plt.close(fig)
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"), "text/plain": "<Figure>"}}


def html_output(fragment: str, text: str) -> dict:
    return {"output_type": "display_data", "metadata": {}, "data": {"text/html": fragment, "text/plain": text}}


def error_output(exc: Exception) -> dict:
    """An AimonError shown in the app instead of a traceback (the message says what to change)."""
    msg = str(exc)
    return html_output(f"<pre style='color:#a00'>{html.escape(msg)}</pre>", msg)


def show(out, *messages) -> None:
    """Replace what ``out`` (an ``ipywidgets.Output``) shows by ``messages``."""
    out.outputs = tuple(messages)
