"""Tables: the register's data tables, long ones given to reportlab a window at a time,
and the boxes (a row per flowable) that stand in for callouts and quotes inside lists,
notes and cells.

A row taller than a page splits inside itself (reportlab's ``splitInRow``): a box's
rows always may; a data table's only when no page could hold the row, or at the top of
a page when no whole row fits (:func:`split_inside_row`), so a row that fits on a page
is never broken. A cell is a list of flowables, the form reportlab's split inside a row
works on."""

from __future__ import annotations

from reportlab.platypus import Flowable, LongTable, Spacer, Table, TableStyle

from briefgen import fonts
from briefgen.writers.pdf import internals
from briefgen.writers.pdf.internals import Para
from briefgen.writers.pdf.styles import BODY_SIZE

# Body rows in a window of a long table. Every row is at least its paddings (6.5 pt) tall,
# so a window is taller than any page and never fits whole while rows are left.
WINDOW = 150


#: The seam: a data table's rows are measured once, at its first wrap (off: at every wrap,
#: as reportlab does, and again in each piece of a split).
MEASURE_ONCE = True


class _Measured:
    """A table whose rows are measured at its first wrap and then fixed: the frame wraps
    a table at every split it tries, and the pieces of a split would measure their rows
    again; a row's height depends only on its cells and the column widths."""

    def wrap(self, availWidth, availHeight):
        if MEASURE_ONCE:
            internals.measure_rows(self, availWidth)
        return super().wrap(availWidth, availHeight)


class DataTable(_Measured, Table):
    _bg_min_row = 3 + 3.5 + 10.8     # paddings and one line of cell text: no row is shorter


class LongDataTable(_Measured, LongTable):
    _bg_min_row = DataTable._bg_min_row
    _bg_rows = None     # a window of a longer table: the :class:`Rows` that holds the rows after it
    _bg_start = 0       # ... and where in those rows this window's body starts

    _bg_drawn = None    # on a piece of a window: the rows it draws, released once drawn

    def split(self, availWidth, availHeight):
        pieces = LongTable.split(self, availWidth, availHeight)
        if self._bg_rows is None or len(pieces) != 2:
            return pieces
        placed = internals.row_count(pieces[0]) - self.repeatRows
        pieces[0]._bg_rows, pieces[0]._bg_drawn = self._bg_rows, (self._bg_start, self._bg_start + placed)
        if internals.row_count(pieces[0]) + internals.row_count(pieces[1]) == internals.row_count(self) + self.repeatRows:
            return [pieces[0], self._bg_rows.window(self._bg_start + placed)]
        # split inside its last row: the rest starts with that row's second part
        rest, head = pieces[1], self.repeatRows
        split_row = (internals.cells(rest)[head], internals.row_heights(rest)[head])
        return [pieces[0], self._bg_rows.window(self._bg_start + placed - 1, split_row)]

    def draw(self):
        LongTable.draw(self)
        if self._bg_drawn is not None:
            self._bg_rows.release(*self._bg_drawn)


def data_table(data: list, head: int, widths, cell_cmds, draw_cmds, *, whole: bool, **space) -> Flowable:
    """A table of `data` (each cell's markup and style) with `head` header rows: in windows
    when it is long, unless it is drawn `whole` inside a box."""
    if len(data) - head > WINDOW and not whole:
        return Rows(data, head, widths, cell_cmds, draw_cmds, **space).window(head)
    cls = LongDataTable if len(data) > 40 else DataTable
    return cls([[[Para(*cell)] for cell in row] for row in data], colWidths=widths, repeatRows=head,
               hAlign="LEFT", style=TableStyle(cell_cmds + draw_cmds), **space)


def first_rows_height(f: Flowable, width: float) -> float:
    """The height of table `f`'s header and first row below it (0 if it is not a table)."""
    if not isinstance(f, Table):
        return 0.0
    heights = internals.row_heights(f)
    if heights is None or None in heights[:f.repeatRows + 1]:
        f.wrap(width, 1e9)
        heights = internals.row_heights(f) or []
    return sum(heights[:f.repeatRows + 1])


def split_inside_row(table: Table, width: float, height: float) -> list:
    """`table` split at `height` inside the row that crosses it (between rows if that
    fails). The pieces split between rows again, as the table did."""
    table.splitByRow, table.splitInRow = 0, 1
    try:
        pieces = table.split(width, height)
    finally:
        table.splitByRow, table.splitInRow = 1, 0
    for piece in pieces:
        piece.splitByRow, piece.splitInRow = 1, 0
    return pieces


class Rows:
    """The rows of a long table, styled and measured once, given to reportlab a window at a time.

    Reportlab makes the rest of a table anew at every page break, at a cost that grows
    with the rows left: quadratic in a table of thousands of rows. A window is a table of
    the header and the next :data:`WINDOW` rows, cheap to make from the styled, measured
    rows; when it splits, the rest is the next window. Windows after the first are
    styled as reportlab styles the rest of a split table, so the pages come out the same.
    """

    def __init__(self, data, head: int, widths, cell_cmds, draw_cmds, spaceBefore, spaceAfter) -> None:
        # the cell commands span whole columns, so every body row is styled like the first
        self.source = data                  # markup and style per cell, until the row is made
        self.cells: list = [None] * len(data)
        styled = internals.cell_styles([self.row(i) for i in range(head + 1)], widths, cell_cmds)
        self.styles = styled[:head] + [styled[head]] * (len(data) - head)
        self.heights: list = [None] * len(self.cells)    # measured a window at a time
        self.head, self.widths = head, widths
        self.first_style = TableStyle(draw_cmds)
        self.rest_style = TableStyle(continued(draw_cmds, head))
        self.space_before, self.space_after = spaceBefore, spaceAfter

    def window(self, start: int, split_row: tuple | None = None) -> LongDataTable:
        """The header and the rows from `start` (an index into all rows) on; `split_row`,
        (cells, height), stands for row `start` when that row was split and this is its rest."""
        head, first = self.head, start == self.head and split_row is None
        end = min(start + WINDOW, len(self.cells))

        def cut(seq):
            return seq[:head] + seq[start:end]

        body = range(start + (split_row is not None), end)     # a split row is drawn and released
        rows = [self.row(i) for i in range(head)] + ([split_row[0]] if split_row else []) + [self.row(i) for i in body]
        heights = cut(self.heights)
        if split_row is not None:
            heights[head] = split_row[1]
        t = LongDataTable(rows, colWidths=self.widths, rowHeights=heights,
                          repeatRows=head, normalizedData=1, cellStyles=cut(self.styles),
                          style=self.first_style if first else self.rest_style, hAlign="LEFT",
                          spaceBefore=self.space_before if first else None, spaceAfter=self.space_after)
        measured = internals.measure_rows(t, sum(self.widths))   # the rows new in this window, once
        if measured is not None:
            kept = head + (split_row is not None)      # a split row's rest is not the row
            self.heights[:head], self.heights[start + kept - head:end] = measured[:head], measured[kept:]
        if end < len(self.cells):
            t._bg_rows, t._bg_start = self, start
        return t

    def row(self, i: int) -> list:
        """Row `i` as paragraphs, made when a window first holds it: a long table's
        thousands of rows are never all parsed and laid out at once."""
        cells = self.cells[i]
        if cells is None:
            cells = self.cells[i] = [[Para(markup, style)] for markup, style in self.source[i]]
        return cells

    def release(self, start: int, end: int) -> None:
        """Rows `start` to `end` are drawn: drop them (no window is made again from
        before the last drawn row)."""
        self.cells[start:end] = self.source[start:end] = [None] * (end - start)


def continued(cmds, head: int) -> list:
    """Table commands as reportlab restyles the rest of a split table: one over both the
    header and the body becomes one for each, and a LINEBELOW that reaches the body gets
    a LINEABOVE on the first body row. Handles commands over the whole table, the header
    or the body, which is all the story builder gives."""
    out = []
    for op, (sc, sr), (ec, er), *args in cmds:
        body = er < 0 or er >= head
        if op == "LINEBELOW" and body:
            out.append(("LINEABOVE", (sc, head), (ec, head), *args))
        if sr < head:
            out.append((op, (sc, sr), (ec, er if 0 <= er < head else head - 1), *args))
        if body:
            out.append((op, (sc, max(sr, head)), (ec, er), *args))
    return out


def boxed_table(body: list[Flowable], width: float, fill, bar) -> Table:
    """A box for nested contexts (list items, notes, cells): one row per flowable, each
    free to split inside itself."""
    rows = [[f] for f in body] or [[Spacer(0, 0)]]
    cmds = [("FONT", (0, 0), (-1, -1), fonts.FAMILY, BODY_SIZE),
            ("LEFTPADDING", (0, 0), (-1, -1), 10), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ("TOPPADDING", (0, 0), (-1, 0), 6), ("BOTTOMPADDING", (0, -1), (-1, -1), 5),
            ("LINEBEFORE", (0, 0), (0, -1), 2.5, bar)]
    if fill is not None:
        cmds.append(("BACKGROUND", (0, 0), (-1, -1), fill))
    return Table(rows, colWidths=[width or None], hAlign="LEFT", style=TableStyle(cmds),
                 spaceBefore=2, spaceAfter=6, splitInRow=1)
