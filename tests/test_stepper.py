"""The stepper widget: frames, labels, self-contained HTML, bad input."""

import re

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import pytest

from learnable_bases import stepper as st


def _draw(fig, i):
    fig.subplots().plot([0, 1], [0, i])


def test_one_frame_per_label_and_html_is_self_contained():
    s = st.stepper_from_function(_draw, ["a", "b", "c"], alt="lines", figsize=(3, 2))
    assert len(s) == 3 and s.labels == ("a", "b", "c")
    html = s.to_html()
    assert html.count('class="lb-stepper-frame"') == 3
    assert html.count("data:image/png;base64,") == 3
    # nothing is loaded from elsewhere: no http(s) URL at all in the fragment
    assert not re.search(r"https?://", html)
    assert 'aria-label="Next frame"' in html and 'type="range"' in html
    assert s._repr_html_() == html
    assert plt.get_fignums() == []  # the frames' figures were closed


def test_frames_as_files_first_eager_later_lazy_at_half_their_pixel_size():
    s = st.stepper_from_function(_draw, ["a", "b", "c"], alt="lines", figsize=(3, 2))
    assert s.pixel_ratio == 2.0  # drawn at 200 dpi, shown at 100 px per inch
    html = s.to_html(frame_urls=["f0.png", "f1.png", "f2.png"])
    assert "data:image" not in html
    imgs = re.findall(r"<img [^>]*>", html)
    assert [re.search(r'src="([^"]+)"', i).group(1) for i in imgs] == [
        "f0.png",
        "f1.png",
        "f2.png",
    ]
    assert "loading=" not in imgs[0]
    assert all('loading="lazy"' in i for i in imgs[1:])
    # 3 x 2 inches at 200 dpi are 600 x 400 pixels, shown at 300 x 200
    assert all('width="300" height="200"' in i for i in imgs)
    with pytest.raises(ValueError, match="one URL per frame"):
        s.to_html(frame_urls=["f0.png"])
    with pytest.raises(TypeError, match="non-empty"):
        s.to_html(frame_urls=["f0.png", "", "f2.png"])


def test_prev_starts_disabled_and_next_only_for_one_frame():
    many = st.stepper_from_function(_draw, ["a", "b"], alt="x", figsize=(2, 2))
    one = st.stepper_from_function(_draw, ["a"], alt="x", figsize=(2, 2))
    for s, next_disabled in ((many, False), (one, True)):
        html = s.to_html()
        prev = re.search(r'<button[^>]*data-act="prev"[^>]*>', html).group(0)
        nxt = re.search(r'<button[^>]*data-act="next"[^>]*>', html).group(0)
        assert "disabled" in prev
        assert ("disabled" in nxt) == next_disabled


def test_distinct_steppers_get_distinct_ids():
    a = st.stepper_from_function(_draw, ["a", "b"], alt="x", figsize=(2, 2))
    b = st.stepper_from_function(_draw, ["a", "b", "c"], alt="x", figsize=(2, 2))
    ida = re.search(r'id="(lb-stepper-[0-9a-f]+)"', a.to_html()).group(1)
    idb = re.search(r'id="(lb-stepper-[0-9a-f]+)"', b.to_html()).group(1)
    assert ida != idb


def test_labels_are_escaped():
    s = st.stepper_from_function(_draw, ["<b>x</b>"], alt='a "q"', figsize=(2, 2))
    html = s.to_html()
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_bad_input():
    fig = plt.figure()
    with pytest.raises(ValueError, match="one label per frame"):
        st.stepper_from_figures([fig], ["a", "b"], alt="x")
    with pytest.raises(TypeError, match="Figure"):
        st.stepper_from_figures(["not a figure"], ["a"], alt="x")
    with pytest.raises(ValueError, match="alt"):
        st.stepper_from_figures([fig], ["a"], alt=" ")
    with pytest.raises(TypeError, match="not one string"):
        st.stepper_from_figures([fig], "a", alt="x")
    with pytest.raises(ValueError, match="at least one frame"):
        st.Stepper(frames=(), labels=(), alt="x")
    with pytest.raises(TypeError, match="PNG"):
        st.Stepper(frames=(b"GIF89a",), labels=("a",), alt="x")
    with pytest.raises(TypeError, match="callable"):
        st.stepper_from_function("draw", ["a"], alt="x")
    png = st.stepper_from_function(_draw, ["a"], alt="x", figsize=(2, 2)).frames
    with pytest.raises(ValueError, match="pixel_ratio"):
        st.Stepper(frames=png, labels=("a",), alt="x", pixel_ratio=0)
    plt.close("all")


def test_palette_png_keeps_plotted_colours_and_shrinks():
    import io

    import numpy as np
    from PIL import Image

    from learnable_bases.plotting import BASIS_COLORS

    fig, ax = plt.subplots(figsize=(6, 3))
    x = np.linspace(0, 1, 300)
    for k, c in enumerate(BASIS_COLORS):
        ax.plot(x, np.sin(5 * x + k), color=c, lw=1)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    raw = buf.getvalue()
    small = st.palette_png(raw)
    assert len(small) < 0.6 * len(raw)
    palette = np.array(Image.open(io.BytesIO(small)).getpalette()).reshape(-1, 3)
    for c in BASIS_COLORS:
        rgb = np.array([int(c[i : i + 2], 16) for i in (1, 3, 5)])
        assert np.abs(palette - rgb).sum(axis=1).min() <= 3, c


def test_palette_png_rejects_bad_input():
    with pytest.raises(TypeError, match="PNG"):
        st.palette_png(b"not a png")
    with pytest.raises(ValueError, match="2 to 256"):
        st.palette_png(b"\x89PNG\r\n\x1a\n", colors=1000)


# --- same_layout: one layout for all frames ------------------------------------------


def _draw_line(fig, i):
    ax = fig.subplots()
    ax.plot([0, 1], [0, i / 4])
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="x", ylabel="y", title="same axes")


def test_same_layout_gives_the_frames_of_a_per_frame_layout():
    labels = ["a", "b", "c"]
    own = st.stepper_from_function(_draw_line, labels, alt="a line that rises")
    same = st.stepper_from_function(
        _draw_line, labels, alt="a line that rises", same_layout=True
    )
    assert same.frames == own.frames


def test_same_layout_keeps_the_axes_where_the_first_frame_has_them():
    def draw(fig, i):  # tick labels grow from "0.5" to "50000", moving the axes
        fig.subplots().plot([0, 1], [0, 10 ** (i * 2)])

    first, later = (plt.figure(layout="constrained") for _ in range(2))
    draw(first, 0)
    draw(later, 2)
    st._reuse_layout(first, None, 0, 100)
    st._reuse_layout(later, first, 1, 100)
    assert later.axes[0].get_position().bounds == first.axes[0].get_position().bounds
    other = plt.figure(layout="constrained")
    draw(other, 2)
    other.draw_without_rendering()
    assert other.axes[0].get_position().x0 > first.axes[0].get_position().x0
    plt.close("all")


def test_same_layout_rejects_frames_with_other_axes():
    def draw(fig, i):
        fig.subplots(1, i + 1)

    with pytest.raises(ValueError, match="frame 1 has 2, frame 0 has 1"):
        st.stepper_from_function(draw, ["a", "b"], alt="panels", same_layout=True)
    with pytest.raises(TypeError, match="same_layout must be True or False"):
        st.stepper_from_function(draw, ["a"], alt="panels", same_layout="yes")
    plt.close("all")
