"""Every use of reportlab's private names, behind names that say what they do:
``paragraphs`` (shaping, direction, lines, markers) and ``layout`` (flowables, tables,
frames, the document, boxes), read through this package's names.

The footnote layout needs more than platypus's public API: how much room a frame has
left and where its bottom is, how a table measures and restyles its rows, which
onDraw markers a paragraph's lines hold, when the document's last page is done. This
package is the only place in the PDF writer that reads or writes reportlab's underscore
names (``Frame._add``, ``Table._argH``, ``canvas._code``, …) or relies on undocumented
attributes (``Paragraph.blPara``, a fragment's ``cbDefn``), and
``tests/test_pdf_internals.py`` pins each behaviour used here. After a reportlab
upgrade, that test file says whether the writer still holds; nothing else should need
reading. Checked against reportlab 5.1.
"""

from __future__ import annotations

from briefgen.writers.pdf.internals.layout import (attached, Box, BoxEnd, build_state, Bullets,
                                                   cell_styles, cells, contents,
                                                   count_outline_openly, DocumentEnd, frame_action,
                                                   FrameState, FUZZ, indented, measure_rows,
                                                   publish_destinations, right_to_left, row_count,
                                                   row_heights, zero_size, ZeroSize)
from briefgen.writers.pdf.internals.paragraphs import (ActualText, draw_runs, Drawn,
                                                       in_reading_order, line_markers, lines,
                                                       Logical, lost_lines, markers, Para,
                                                       plain_text, shape_run, shaped_words,
                                                       shaping_style, visual_lines)

__all__ = [
    'ActualText', 'Box', 'BoxEnd', 'Bullets', 'DocumentEnd', 'Drawn', 'FUZZ', 'FrameState',
    'Logical', 'Para', 'ZeroSize', 'attached', 'build_state', 'cell_styles', 'cells',
    'contents', 'count_outline_openly', 'draw_runs', 'frame_action', 'in_reading_order',
    'indented', 'line_markers', 'lines', 'lost_lines', 'markers', 'measure_rows',
    'plain_text', 'publish_destinations', 'right_to_left', 'row_count', 'row_heights',
    'shape_run', 'shaped_words', 'shaping_style', 'visual_lines', 'zero_size',
]
