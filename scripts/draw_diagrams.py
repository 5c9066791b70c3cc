"""Draw the book's cell diagrams as PNG and embed them in the chapters that show them.

Usage: python scripts/draw_diagrams.py            # writes book/figures/*.png, updates the notebooks
       python scripts/draw_diagrams.py --check    # exits 1 if a file or an embedded copy is stale

The figures use the book's symbols (chapter 1 and ``lstm_utils.cells``): input weights ``W_*``,
recurrent weights ``U_*``, biases ``b_*``, LSTM gates i, f, g, o, GRU gates r, z, n, states
``c_t``, ``h_t``.

A notebook opened in Colab cannot see files next to it, so each notebook carries its figures as
``data:`` URIs in markdown images whose title names the file, e.g.
``![The LSTM cell](data:image/png;base64,... "lstm_cell.png")``. This script rewrites those URIs
from ``book/figures``; ``tests/test_diagrams.py`` fails when a copy and its file differ. To add a
figure to a chapter, write ``![alt text](data:image/png;base64,x "name.png")`` and run the script.
PNG, not SVG: the book's Markdown parser (markdown-it, as most sanitisers) refuses ``data:`` URIs
of SVG images, which can carry scripts; a PNG data URI shows in the built book, Jupyter and Colab.
"""

from __future__ import annotations

import base64
import io
import re
import sys
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
FIGURES = REPO / "book" / "figures"
NOTEBOOKS = REPO / "notebooks"
EMBEDDED = re.compile(r'\]\(data:image/png;base64,[A-Za-z0-9+/=]+ "([\w.-]+\.png)"\)')
DPI = 120  # about 1.4 pixels per CSS pixel in the book's 700-pixel column

STYLE = {  # applied while drawing only (importing this module changes no global setting)
    "font.family": "DejaVu Sans",
    "font.size": 11, "mathtext.fontset": "dejavusans",
}
INK, GATE, STATE, NOTE = "#222222", "#fde9c9", "#dbe9f7", "#555555"


def canvas(width, height):
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set(xlim=(0, width * 10), ylim=(0, height * 10), aspect="equal")
    ax.axis("off")
    return fig, ax


def box(ax, x, y, w, h, text, color=GATE, size=11):
    """A rounded box centred on (x, y)."""
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.3,rounding_size=1.2",
                                fc=color, ec=INK, lw=1.2))
    ax.text(x, y, text, ha="center", va="center", size=size, color=INK)


def op(ax, x, y, text, r=2.2):
    """A point-wise operation (⊙, +, tanh) in a circle centred on (x, y)."""
    ax.add_patch(Circle((x, y), r, fc="white", ec=INK, lw=1.2, zorder=3))
    ax.text(x, y, text, ha="center", va="center", size=10 if len(text) > 1 else 13, color=INK, zorder=4)


def arrow(ax, points, color=INK, lw=1.3, head=True):
    """A polyline through ``points``, with an arrow head at the end."""
    for (x0, y0), (x1, y1) in zip(points[:-2], points[1:-1]):
        ax.plot([x0, x1], [y0, y1], color=color, lw=lw, solid_capstyle="round", zorder=1)
    (x0, y0), (x1, y1) = points[-2:]
    ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>" if head else "-", mutation_scale=11,
                                 color=color, lw=lw, shrinkA=0, shrinkB=0, zorder=2))


def label(ax, x, y, text, size=11, color=INK, **kw):
    ax.text(x, y, text, ha=kw.pop("ha", "center"), va=kw.pop("va", "center"), size=size, color=color, **kw)


def rnn_cell():
    fig, ax = canvas(6.4, 3.6)
    box(ax, 32, 17, 26, 7, r"$h_t = \tanh(W_h x_t + U_h h_{t-1} + b_h)$", color=STATE)
    arrow(ax, [(4, 17), (17.7, 17)])
    label(ax, 4, 20.5, r"$h_{t-1}$", ha="left")
    label(ax, 4, 13.5, "(batch, hidden)", size=9, color=NOTE, ha="left")
    arrow(ax, [(32, 3), (32, 12.2)])
    label(ax, 34, 4.5, r"$x_t$  (batch, input)", ha="left")
    arrow(ax, [(46.3, 17), (60, 17)])
    label(ax, 60, 20.5, r"$h_t$", ha="right")
    label(ax, 60, 13.5, "(batch, hidden)", size=9, color=NOTE, ha="right")
    arrow(ax, [(52, 17), (52, 29)])
    label(ax, 53.5, 27.5, r"output[$t$]", size=9, color=NOTE, ha="left")
    label(ax, 2, 33.5, r"$W_h$: (hidden, input) = weight_ih", size=8.5, color=NOTE, ha="left")
    label(ax, 2, 30.5, r"$U_h$: (hidden, hidden) = weight_hh", size=8.5, color=NOTE, ha="left")
    label(ax, 2, 27.5, r"$b_h$ = bias_ih + bias_hh", size=8.5, color=NOTE, ha="left")
    return fig


def gated_frame(ax, top, bottom, keep_x, add_x, state_in, state_out, inputs_end):
    """What the LSTM and GRU drawings share: the state line along the top, through a ⊙ at ``keep_x``
    and a + at ``add_x``; below, the line that carries h_{t-1} and x_t to the gates."""
    arrow(ax, [(4, top), (keep_x - 2.2, top)])
    op(ax, keep_x, top, "⊙")
    arrow(ax, [(keep_x + 2.2, top), (add_x - 2.2, top)])
    op(ax, add_x, top, "+")
    arrow(ax, [(add_x + 2.2, top), (82, top)])
    label(ax, 4, top + 3.5, state_in, ha="left")
    label(ax, 82, top + 3.5, state_out, ha="right")
    arrow(ax, [(4, bottom + 4), (inputs_end, bottom + 4)], head=False)
    label(ax, 4, bottom + 7, r"$h_{t-1}$", ha="left")
    arrow(ax, [(12, 0.5), (12, bottom + 4)], head=False)
    label(ax, 14, 1.8, r"$x_t$", ha="left")


def lstm_cell():
    fig, ax = canvas(8.6, 5.6)
    top, gates_y, bottom = 46, 22, 6
    # the cell state: c_{t-1} -> (⊙ f_t) -> (+ i_t ⊙ g_t) -> c_t; h_{t-1} and x_t meet under the gates
    gated_frame(ax, top, bottom, 27, 51, r"$c_{t-1}$", r"$c_t = f_t \odot c_{t-1} + i_t \odot g_t$", 70)
    xs = {"f": 20, "i": 35, "g": 47, "o": 61}
    names = {"f": r"$f_t = \sigma(\cdot)$", "i": r"$i_t = \sigma(\cdot)$", "g": r"$g_t = \tanh(\cdot)$",
             "o": r"$o_t = \sigma(\cdot)$"}
    for gate, x in xs.items():
        arrow(ax, [(x, bottom + 4), (x, gates_y - 3.6)])
        box(ax, x, gates_y, 10.5 if gate != "g" else 11, 5, names[gate], size=10)
    label(ax, 50, 2, r"each gate reads $W_* x_t + U_* h_{t-1} + b_*$", size=8.5, color=NOTE)
    arrow(ax, [(xs["f"], gates_y + 3.6), (xs["f"], top - 8), (27, top - 8), (27, top - 2.2)])
    op(ax, 41, 35, "⊙")
    arrow(ax, [(xs["i"], gates_y + 3.6), (xs["i"], 35), (38.8, 35)])
    arrow(ax, [(xs["g"], gates_y + 3.6), (xs["g"], 35), (43.2, 35)])
    arrow(ax, [(41, 37.2), (41, 41), (51, 41), (51, top - 2.2)])
    # the output: h_t = o_t * tanh(c_t)
    op(ax, 72, 36, "tanh", r=3)
    arrow(ax, [(72, top), (72, 39)])
    op(ax, 72, 24, "⊙")
    arrow(ax, [(72, 33), (72, 26.2)])
    arrow(ax, [(xs["o"] + 5.6, gates_y + 2), (69.8, 24)])
    arrow(ax, [(74.2, 24), (82, 24)])
    label(ax, 82, 18.5, r"$h_t = o_t \odot \tanh(c_t)$", ha="right")
    label(ax, 82, 15, "(batch, hidden)", size=9, color=NOTE, ha="right")
    label(ax, 43, 53, r"PyTorch stacks the blocks i, f, g, o:  weight_ih = $[W_i; W_f; W_g; W_o]$  (4·hidden, input)",
          size=8.5, color=NOTE)
    return fig


def gru_cell():
    fig, ax = canvas(8.6, 5.6)
    top, gates_y, bottom = 46, 22, 6
    gated_frame(ax, top, bottom, 39, 57, r"$h_{t-1}$", r"$h_t = z_t \odot h_{t-1} + (1 - z_t) \odot n_t$", 66)
    xs = {"z": 20, "r": 34, "n": 58}
    for gate in ("z", "r", "n"):
        arrow(ax, [(xs[gate], bottom + 4), (xs[gate], gates_y - 3.6)])
    box(ax, xs["z"], gates_y, 10.5, 5, r"$z_t = \sigma(\cdot)$", size=10)
    box(ax, xs["r"], gates_y, 10.5, 5, r"$r_t = \sigma(\cdot)$", size=10)
    box(ax, xs["n"], gates_y, 34, 5, r"$n_t = \tanh(W_n x_t + b_{Wn} + r_t \odot (U_n h_{t-1} + b_{Un}))$", size=9.5)
    arrow(ax, [(xs["r"] + 5.6, gates_y), (xs["n"] - 17.4, gates_y)])
    label(ax, 50, 2, r"$z_t$ and $r_t$ read $W_* x_t + U_* h_{t-1} + b_*$", size=8.5, color=NOTE)
    arrow(ax, [(xs["z"], gates_y + 3.6), (xs["z"], top - 8), (39, top - 8), (39, top - 2.2)])
    label(ax, 37.5, top - 5.5, r"$z_t$", size=10, ha="right")
    op(ax, 50, 33, "⊙")
    arrow(ax, [(xs["z"], 33), (47.8, 33)])
    label(ax, 30, 30.5, r"$1 - z_t$", size=9.5, ha="center")
    arrow(ax, [(xs["n"], gates_y + 3.6), (xs["n"], 33), (52.2, 33)])
    label(ax, 59.5, 29, r"$n_t$", size=10, ha="left")
    arrow(ax, [(50, 35.2), (50, 40), (57, 40), (57, top - 2.2)])
    label(ax, 82, 42.5, "(batch, hidden)", size=9, color=NOTE, ha="right")
    label(ax, 43, 53, r"PyTorch stacks the blocks r, z, n:  weight_ih = $[W_r; W_z; W_n]$  (3·hidden, input)",
          size=8.5, color=NOTE)
    return fig


def unrolled():
    fig, ax = canvas(9.6, 4.6)
    steps = [(16, "1"), (38, "2"), (70, "T")]
    for x, t in steps:
        box(ax, x, 22, 12, 7, f"LSTM cell\nstep {t}", color=STATE, size=10)
        arrow(ax, [(x, 5), (x, 17.2)])
        label(ax, x + 1.2, 7.5, rf"$x_{{{t}}}$", ha="left")
        arrow(ax, [(x, 26.8), (x, 39)])
        label(ax, x + 1.2, 36, rf"$h_{{{t}}}$", ha="left")
    label(ax, 16, 2, "x[0]: (batch, input)", size=8.5, color=NOTE)
    label(ax, 38, 2, "x[1]: (batch, input)", size=8.5, color=NOTE)
    label(ax, 70, 2, "x[T-1]: (batch, input)", size=8.5, color=NOTE)
    arrow(ax, [(1, 22), (9.7, 22)])
    label(ax, 1, 27, r"$h_0, c_0$", ha="left", size=10)
    label(ax, 1, 17.5, "zeros", ha="left", size=8.5, color=NOTE)
    arrow(ax, [(22.3, 22), (31.7, 22)])
    label(ax, 27, 25.5, r"$h_1, c_1$", size=10)
    label(ax, 27, 18.3, "(batch, hidden)\neach", size=7.5, color=NOTE)
    arrow(ax, [(44.3, 22), (51, 22)], head=False)
    label(ax, 54, 22, "…", size=16)
    arrow(ax, [(57, 22), (63.7, 22)])
    label(ax, 57.5, 25.5, r"$h_{T-1}, c_{T-1}$", size=9.5)
    arrow(ax, [(76.3, 22), (90, 22)])
    label(ax, 90, 25.5, r"$h_T, c_T$", ha="right", size=10)
    label(ax, 92, 15.5, "h_n, c_n: (1, batch, hidden)", ha="right", size=8.5, color=NOTE)
    ax.plot([10, 76], [41, 41], color=NOTE, lw=1, ls=(0, (3, 2)))
    label(ax, 43, 43.8, "output = stack(h_1, …, h_T): (seq, batch, hidden)", size=9, color=NOTE)
    label(ax, 54, 8, "the same weights at every step", size=8.5, color=NOTE)
    return fig


FIGURES_TO_DRAW = {"rnn_cell.png": rnn_cell, "lstm_cell.png": lstm_cell, "gru_cell.png": gru_cell,
                   "lstm_unrolled.png": unrolled}


def render(draw) -> bytes:
    """The PNG of one figure, drawn by ``draw()`` with the book's diagram style."""
    with plt.rc_context(STYLE):
        fig = draw()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    # line art needs few colours: a 32-colour palette makes the PNG (and the notebook) 3x smaller
    image = Image.open(buffer).convert("RGB").quantize(colors=32, method=Image.Quantize.MEDIANCUT)
    small = io.BytesIO()
    image.save(small, format="PNG", optimize=True)
    return small.getvalue()


def embed(source: str, figures: dict[str, bytes]) -> str:
    """``source`` with every embedded ``"name.png"`` image replaced by the current file."""
    def replace(match):
        name = match.group(1)
        if name not in figures:
            raise KeyError(f"a notebook embeds {name!r}, expected one of {sorted(figures)}")
        return f'](data:image/png;base64,{base64.b64encode(figures[name]).decode()} "{name}")'
    return EMBEDDED.sub(replace, source)


def main(check: bool) -> int:
    import nbformat

    figures = {name: render(draw) for name, draw in FIGURES_TO_DRAW.items()}
    stale = []
    for name, image in figures.items():
        path = FIGURES / name
        if not path.exists() or path.read_bytes() != image:
            stale.append(str(path.relative_to(REPO)))
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(image)
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(notebook, as_version=4)
        changed = False
        for cell in nb.cells:
            if cell.cell_type == "markdown" and EMBEDDED.search(cell.source):
                new = embed(cell.source, figures)
                changed |= new != cell.source
                cell.source = new
        if changed:
            stale.append(str(notebook.relative_to(REPO)))
            if not check:
                nbformat.write(nb, notebook)
    for path in stale:
        print(("stale: " if check else "updated: ") + path)
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(check="--check" in sys.argv[1:]))
