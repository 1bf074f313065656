"""The timeline figure: a pure layout, checked through the scene it returns, and its painters."""

from __future__ import annotations

import dataclasses
import io
import itertools

import pytest
from PIL import Image

from briefgen import fonts
from briefgen import tree as t
from briefgen.figures import timeline as tl
from briefgen.figures.paint_drawing import to_drawing
from briefgen.figures.paint_png import to_png
from briefgen.figures.paint_svg import to_svg


def item(label, lo, hi=None, precision="day", approximate=False, kind="occurred", display=""):
    return t.TimelineItem(label, lo, lo if hi is None and precision == "day" else hi, precision,
                          approximate, kind, display)


# Most events in 2025, a few in 2021-2024, a target in 2032: the shape of the real data.
ITEMS = (
    item("Cloud unit restructured", "2021-11-01", "2021-11-30", "month", display="Nov 2021"),
    item("Tongyi Qianwen (通义千问) beta opens", "2023-04-07", display="7 Apr 2023"),
    item("Eddie Wu (吴泳铭) becomes CEO", "2023-09-10", display="10 Sep 2023"),
    item("Qwen2 family released", "2024-06-07", kind="announced", display="7 Jun 2024"),
    item("Qwen2.5-Max", "2025-01-28", display="28 Jan 2025"),
    item("RMB 380bn AI infrastructure plan", "2025-02-24", kind="announced", display="24 Feb 2025"),
    item("QwQ-32B reasoning model", "2025-03-06", display="6 Mar 2025"),
    item("Quark app relaunch", "2025-03-01", "2025-03-31", "month", True, display="Mar 2025"),
    item("Qwen3 launch", "2025-04-29", display="29 Apr 2025"),
    item("Capex guidance raised", "2025-06-15", approximate=True, kind="announced", display="mid-Jun 2025"),
    item("Qwen3-Coder", "2025-07-22", display="22 Jul 2025"),
    item("Qwen3-Max", "2025-09-05", display="5 Sep 2025"),
    item("Apsara conference keynote", "2025-09-24", display="24 Sep 2025"),
    item("New data centres in Brazil, France and the Netherlands", "2025-09-24", kind="announced",
         display="24 Sep 2025"),
    item("Qwen app public beta", "2025-11-17", display="17 Nov 2025"),
    item("Energy use ten times the 2022 level", "2032-01-01", "2032-12-31", "year", kind="target",
         display="by 2032"),
    item("Partnership, no end date", "2025-10-01", None, kind="announced", display="from Oct 2025"),
)
FIG = t.TimelineFigure(ITEMS, (t.Text("Chronology"),))
WIDTH = 470.0


def labels(scene):
    return [p for p in scene.items if isinstance(p, tl.Label)]


def box(label: tl.Label) -> tuple[float, float, float, float]:
    """Ink box of a label (x0, y0, x1, y1), y growing downwards."""
    w = fonts.text_width(label.text, label.role, label.size)
    x0 = label.x - {"start": 0, "middle": w / 2, "end": w}[label.anchor]
    return x0, label.y - label.size * 0.8, x0 + w, label.y + label.size * 0.22


def overlaps(a, b) -> bool:
    return a[0] < b[2] - 0.01 and b[0] < a[2] - 0.01 and a[1] < b[3] - 0.01 and b[1] < a[3] - 0.01


def test_layout_is_pure_and_deterministic():
    assert tl.layout(FIG, WIDTH) == tl.layout(FIG, WIDTH)
    assert tl.layout(FIG, WIDTH) == tl.layout(ITEMS, WIDTH)   # a figure or its items


def test_every_date_is_labelled_and_events_sharing_one_share_a_label():
    texts = [lb.text for lb in labels(tl.layout(FIG, WIDTH))]
    joined = "\n".join(texts)
    shared = "New data centres in Brazil, France and the Netherlands"   # same day as the keynote
    for it in ITEMS:
        if it.label != shared:
            assert any(x.startswith(it.label[:12]) for x in texts), it.label
    assert not any(x.startswith(shared[:12]) for x in texts)
    assert any(x.startswith("Apsara conference") and x.endswith("(+1 more)") for x in texts)
    assert texts.count("24 Sep 2025") == 1
    assert "7 Apr 2023" in texts and "by 2032" in texts and "17 Nov 2025" in texts
    assert "通义千问" in joined


def test_a_busy_day_gets_one_label_naming_its_first_event():
    day = tuple(item(f"Launch {k}", "2025-09-24", display="24 Sep 2025") for k in range(15))
    scene = tl.layout(day + ITEMS[:3], WIDTH)
    texts = [lb.text for lb in labels(scene)]
    assert texts.count("24 Sep 2025") == 1
    assert "Launch 0 (+14 more)" in texts
    assert not any(x.startswith("Launch 1") for x in texts)


def test_labels_never_overlap_and_stay_inside():
    scene = tl.layout(FIG, WIDTH)
    boxes = [box(lb) for lb in labels(scene)]
    for a, b in itertools.combinations(boxes, 2):
        assert not overlaps(a, b), (a, b)
    for x0, y0, x1, y1 in boxes:
        assert -0.5 <= x0 and x1 <= WIDTH + 0.5 and 0 <= y0 and y1 <= scene.height + 0.5


def test_precision_is_drawn_honestly():
    scene = tl.layout(FIG, WIDTH)
    bars = [p for p in scene.items if isinstance(p, tl.Rect) and p.stroke in tl.KIND_COLOR.values()]
    markers = [p for p in scene.items if isinstance(p, tl.Marker) and p.shape != "triangle"]
    # month and year precision: bars (Nov 2021, Mar 2025, the 2032 target); days: markers
    assert len(bars) == 3 + 1          # + the legend's sample bar
    assert len([m for m in markers if m.r == tl.MARKER_R]) >= 12
    mar = [b for b in bars if b.dash]  # approximate month: dashed outline, hollow
    assert len(mar) == 1 and mar[0].fill == tl.WHITE
    # a month is wider than a day but narrower than the 2032 year
    year = max(bars, key=lambda b: b.w)
    assert 2 < mar[0].w < year.w


def test_approximate_dates_say_circa_and_are_hollow():
    texts = [lb.text for lb in labels(tl.layout(FIG, WIDTH))]
    assert "c. mid-Jun 2025" in texts and "c. Mar 2025" in texts
    scene = tl.layout(FIG, WIDTH)
    hollow = [p for p in scene.items if isinstance(p, tl.Marker) and p.hollow]
    assert hollow, "approximate day event drawn hollow"


def test_targets_are_distinct_and_explained_in_the_legend():
    scene = tl.layout(FIG, WIDTH)
    texts = [lb.text for lb in labels(scene)]
    assert "Target" in texts and "Occurred" in texts and "Announced" in texts
    target_color = tl.KIND_COLOR["target"]
    assert any(isinstance(p, tl.Marker) and p.shape == "diamond" and p.color == target_color
               for p in scene.items)
    assert any(lb.text == "by 2032" and lb.color == target_color for lb in labels(scene))


def test_empty_years_collapse_into_a_break_and_busy_years_get_room():
    scene = tl.layout(FIG, WIDTH)
    years = {lb.text: lb.x for lb in labels(scene) if lb.text.isdigit() and len(lb.text) == 4}
    assert {"2021", "2023", "2024", "2025", "2032"} <= set(years)
    assert not {"2027", "2028", "2029", "2030"} & set(years)
    assert years["2021"] < years["2023"] < years["2025"] < years["2032"]
    # 2025 (most events) is wider than 2024: its neighbours are further apart
    assert years["2025"] - years["2024"] > years["2024"] - years["2023"]
    # the break is drawn as a pair of slashes
    slashes = [p for p in scene.items if isinstance(p, tl.Line) and p.x1 != p.x2 and p.y1 != p.y2]
    assert len(slashes) >= 2


def test_long_labels_are_shortened_with_an_ellipsis():
    long = item("An extraordinarily long label " * 6, "2025-05-01", display="1 May 2025")
    scene = tl.layout((long,) + ITEMS[4:9], WIDTH)
    text = [lb.text for lb in labels(scene) if lb.text.startswith("An extraordinarily")]
    assert text and text[0].endswith("…")
    assert fonts.text_width(text[0], "regular", 7.0) <= 200


def test_many_items_stay_legible_and_bounded():
    many = tuple(item(f"Event number {i}", f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}", display=f"#{i}")
                 for i in range(120))
    scene = tl.layout(many, WIDTH)
    boxes = [box(lb) for lb in labels(scene)]
    for a, b in itertools.combinations(boxes, 2):
        assert not overlaps(a, b)
    assert scene.height < 300
    assert any("not labelled" in lb.text for lb in labels(scene))


def test_undated_and_open_items_do_not_break_the_layout():
    assert [lb.text for lb in labels(tl.layout((item("?", None, None),), WIDTH))] == ["No dated events"]
    scene = tl.layout((item("before", None, "2024-05-01"), item("after", "2024-07-01", None)), WIDTH)
    arrows = [p for p in scene.items if isinstance(p, tl.Marker) and p.shape == "triangle"]
    assert {a.direction for a in arrows} >= {"left", "right"}


def test_png_painter_gives_a_png_of_the_right_size():
    scene = tl.layout(FIG, 453.6)
    png, w_pt, h_pt = to_png(scene), scene.width, scene.height
    assert w_pt == 453.6 and 60 < h_pt < 400
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG"
    assert img.size == (round(453.6 * 200 / 72), round(h_pt * 200 / 72))
    # not blank: navy marker pixels are present
    colors = img.convert("RGB").getcolors(1 << 20)
    assert any(c[1] == (0x1B, 0x36, 0x5D) for c in colors)
    assert to_png(tl.layout(FIG, 453.6)) == png     # reproducible


def test_vector_painter_keeps_text_as_text():
    from reportlab.graphics.shapes import String

    drawing = to_drawing(tl.layout(FIG, WIDTH))
    strings = [s.text for s in drawing.contents if isinstance(s, String)]
    assert "Qwen3 launch" in strings and "通义千问" in strings
    assert all(s.fontName.startswith("Brief") for s in drawing.contents if isinstance(s, String))


SVG = "{http://www.w3.org/2000/svg}"


def test_svg_painter_draws_every_primitive_with_text_as_text_and_a_title():
    from lxml import etree

    scene = tl.layout(FIG, WIDTH)
    root = etree.fromstring(to_svg(scene, "Chronology at a glance", "fig-1"))
    assert root.tag == SVG + "svg"
    assert root.get("viewBox") == f"0 0 {WIDTH:g} {scene.height:g}"
    assert root.get("aria-labelledby") == "fig-1-title"
    title = root[0]
    assert (title.tag, title.get("id"), title.text) == (SVG + "title", "fig-1-title", "Chronology at a glance")
    texts = root.findall(SVG + "text")
    assert [e.text for e in texts] == scene.texts()
    assert "通义千问" in "".join(scene.texts())
    count = lambda kind: sum(isinstance(p, kind) for p in scene.items)  # noqa: E731
    assert len(root.findall(SVG + "line")) == count(tl.Line)
    assert len(root.findall(SVG + "rect")) == count(tl.Rect)
    assert len(root.findall(SVG + "circle")) + len(root.findall(SVG + "polygon")) == count(tl.Marker)
    # each label as wide as the layout measured it, so it keeps to its room in any font
    for e, lb in zip(texts, labels(scene)):
        assert float(e.get("textLength")) == pytest.approx(fonts.text_width(lb.text, lb.role, lb.size), abs=0.01)
        assert e.get("font-weight") == ("bold" if lb.role == "bold" else None)


def test_svg_painter_puts_text_where_the_pdf_painter_does():
    from lxml import etree
    from reportlab.graphics.shapes import String

    scene = tl.layout([it for it in ITEMS if it.label.isascii()], WIDTH)   # CJK is drawn in runs in the PDF
    drawn = [(round(s.x, 2), round(scene.height - s.y, 2), s.text)
             for s in to_drawing(scene).contents if isinstance(s, String)]
    svg = [(float(e.get("x")), float(e.get("y")), e.text) for e in etree.fromstring(to_svg(scene, "t")).iter(SVG + "text")]
    assert len(svg) > 20
    assert [(pytest.approx(x, abs=0.006), pytest.approx(y, abs=0.006), s) for x, y, s in drawn] == svg


def test_svg_painter_is_reproducible_and_escapes_its_text():
    from lxml import etree

    assert to_svg(tl.layout(FIG, WIDTH), "t") == to_svg(tl.layout(FIG, WIDTH), "t")
    hostile = "<script>alert(1)</script> & \"quotes\" \x07"
    scene = tl.layout((item(hostile, "2024-05-01"),), WIDTH)
    root = etree.fromstring(to_svg(scene, hostile, 'x"><script>'))
    assert not list(root.iter(SVG + "script"))
    assert root[0].text == hostile.replace("\x07", "")
    assert hostile.replace("\x07", "") in [e.text for e in root.iter(SVG + "text")]


@pytest.mark.parametrize("paint", [to_png, to_drawing, lambda scene: to_svg(scene, "t")],
                         ids=["png", "drawing", "svg"])
def test_every_painter_refuses_a_primitive_it_does_not_know(paint):
    @dataclasses.dataclass(frozen=True)
    class Arc:
        cx: float = 5.0

    with pytest.raises(AssertionError, match="unreachable, but got: .*Arc"):
        paint(tl.Scene(10.0, 10.0, (tl.Line(0, 0, 10, 10, "#000000"), Arc())))
