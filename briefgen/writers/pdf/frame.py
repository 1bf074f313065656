"""The note-reserving frame: the page's body frame, whose bottom rises with the notes
referenced by what it holds.

For every flowable it is offered, :class:`NoteFrame` asks :class:`~.notes.Notes` for a
plan that fits the flowable's new notes below it, and places the flowable only with
that room reserved; when a flowable must split, each piece is asked the same question
(shrinking the split until the first piece and its notes fit), so each note lands on
the page of its reference.
"""

from __future__ import annotations

from reportlab.platypus import Flowable, Paragraph, Table
from reportlab.platypus.doctemplate import ActionFlowable, FrameBreak
from reportlab.platypus.flowables import DDIndenter

from briefgen.writers.pdf import internals
from briefgen.writers.pdf.internals import FUZZ
from briefgen.writers.pdf.notes import Notes, line_notes, notes_in
from briefgen.writers.pdf.styles import BODY_LEADING
from briefgen.writers.pdf.tables import split_inside_row


class NoteFrame(internals.FrameState):
    """A frame whose bottom rises with the notes referenced by what it holds."""

    def __init__(self, notes: Notes, *args, **kw) -> None:
        self.__dict__["notes"] = notes     # before the frame's first reset, which reads it
        super().__init__(*args, **kw)

    def on_reset(self) -> None:
        self.set_limit(self.y1 + self.notes.height)

    def add(self, f, canv, trySplit=0):
        if internals.frame_action(f):
            return self.place(f, canv, trySplit)
        st = self.notes
        base = self.y1 + st.height
        self.set_limit(base)
        if trySplit and isinstance(f, Table) and \
                len(internals.cells(f)) * getattr(f, "_bg_min_row", 0.0) > self.free_top - base:
            return 0     # more rows than could ever fit: go straight to splitting, unmeasured
        nums = st.new(notes_in(f))
        if not nums:
            return self.place(f, canv, trySplit)
        if st.closed:
            return 1 if st.held and self._add_with(f, canv, trySplit, base, st.deferred(nums)) else 0
        if self._add_with(f, canv, trySplit, base, st.full(nums)):
            return 1
        if not st.may_split(nums) and not f.__dict__.get("_bg_force"):
            return 0
        room = self._room_beside(f, canv, base)
        plan = st.plan(nums, room) if room is not None else None
        if plan is None and room is not None and f.__dict__.get("_bg_force"):
            plan = st.forced(nums, room)
        if plan is None:
            return 0
        return 1 if self._add_with(f, canv, trySplit, base, plan) else 0

    def _add_with(self, f, canv, trySplit, base: float, plan) -> bool:
        """Try `f` with `plan`'s notes reserved below it; keep the reservation only if it fits."""
        st = self.notes
        self.set_limit(base + plan.used)
        if self.place(f, canv, trySplit):
            st.commit(plan)
            self.set_limit(self.y1 + st.height)
            return True
        self.set_limit(base)
        return False

    def _measure(self, f, canv, avail: float):
        with internals.attached(f, self, canv):
            return f.wrap(self.avail_width(), avail)

    def _room_beside(self, f, canv, base: float) -> float | None:
        """Room left for notes under `f` if it went here, or None if `f` does not fit."""
        avail = self.free_top - base - self.space_before(f)
        if avail <= 0:
            return None
        h = self._measure(f, canv, avail)[1]
        return avail - h if h <= avail + FUZZ else None

    def split(self, f, canv):
        st = self.notes
        base = self.y1 + st.height
        self.set_limit(base)
        avail = self.free_top - base - self.space_before(f)
        if avail <= 0 and not internals.zero_size(f):
            return []
        h = avail
        for _ in range(12):
            S = self._cut(f, canv, h, in_row=self.at_top and h == avail)
            if not S:
                break
            first = S[0]
            if not isinstance(first, Flowable) or isinstance(first, ActionFlowable) or internals.frame_action(first):
                return S
            if isinstance(first, DDIndenter) and not isinstance(f, DDIndenter):
                return S     # list items: reportlab queues them all again, each is placed on its own
            nums = st.new(notes_in(first))
            if not nums or st.held:      # no notes, or notes that wait for a continued one
                return S
            room = self._room_beside(first, canv, base)
            if room is not None and not st.closed:
                if st.used_full(nums) <= room + FUZZ:
                    return S
                if st.may_split(nums) and st.plan(nums, room) is not None:
                    return S
            new_h = self._shrink(f, first, nums, avail, h)
            if new_h is None:
                if isinstance(f, (Paragraph, Table, DDIndenter)) or first is f:
                    return self._give_up(f, canv, avail)
                sub = self.split(first, canv)      # a container's content: split its first part
                return sub + S[1:] if sub else self._give_up(f, canv, avail)
            h = new_h
        return self._give_up(f, canv, avail)

    def _give_up(self, f, canv, avail: float):
        if self.notes.closed or (self.at_top and self.notes.items):
            # a continued note takes the room: move on, or `f` would be postponed twice
            return [FrameBreak, f]
        if self.at_top:
            # its notes cannot fit even on an empty page: place it, carry what does not fit
            S = self._cut(f, canv, avail, in_row=True)
            if not S and self._measure(f, canv, avail)[1] > avail + FUZZ:
                return []  # taller than a page by itself and unsplittable: reportlab reports it
            S = S or [f]
            first = S[0]
            if isinstance(first, Flowable) and not isinstance(first, ActionFlowable) and (
                    isinstance(f, DDIndenter) or not isinstance(first, DDIndenter)):
                first.__dict__["_bg_force"] = True
                return S
        return []

    def _row_fits_no_page(self, f: Table, h: float) -> bool:
        """Whether the row of table `f` that crosses `h` is taller than any page can hold
        (with the header): it has to split, so it may as well split here."""
        heights = internals.row_heights(f) or []
        head = f.repeatRows
        used = 0.0
        for i, rh in enumerate(heights):
            if rh is None:
                return False
            if i >= head and used + rh > h + FUZZ:
                return sum(heights[:head]) + rh > self.height + FUZZ
            used += rh
        return False

    def _cut(self, f, canv, h: float, in_row: bool = False):
        """`f` split to fit `h`. A table splits between rows, or inside the row that
        crosses `h` if no page can hold that row, or (`in_row`, at the top of a page) if
        no whole row fits."""
        with internals.attached(f, self, canv):
            width = self.avail_width()
            if isinstance(f, Table) and self._row_fits_no_page(f, h):
                return split_inside_row(f, width, h)
            S = f.split(width, h)
            if not S and in_row and isinstance(f, Table):
                S = split_inside_row(f, width, h)
            return S

    def _shrink(self, f, first, nums, avail: float, h: float) -> float | None:
        """A smaller height to split `f` at, or None if shrinking cannot help."""
        st = self.notes
        if isinstance(f, DDIndenter):
            f = internals.indented(f)
            first = internals.indented(first)
        lines = internals.lines(f) if isinstance(f, Paragraph) and isinstance(first, Paragraph) else None
        if lines is not None:
            lead = f.style.leading
            keep, seen = 0, []
            for i, line in enumerate(lines):
                seen = seen + st.new(line_notes(line))
                body = (i + 1) * lead
                if body > avail + FUZZ or not self._fits_notes(seen, avail - body):
                    break
                keep = i + 1
            new_h = keep * lead + 0.01
            return new_h if 0 < keep and new_h < h else None
        if isinstance(f, Table) and internals.row_heights(f):
            new_h = self._shrink_table(f, avail, h)
            if new_h is not None or not (self.at_top or self._row_fits_no_page(f, h)):
                return new_h       # else: no whole row fits, so shrink the split inside the first
        if st.closed:
            new_h = h - 2 * BODY_LEADING
        else:
            new_h = min(h - BODY_LEADING, avail - st.used_full(nums))
        return new_h if new_h > 0 else None

    def _fits_notes(self, nums: list[int], room: float) -> bool:
        st = self.notes
        if not nums:
            return room >= -FUZZ
        if st.closed or room <= 0:
            return False
        return st.used_full(nums) <= room + FUZZ or (st.may_split(nums) and st.plan(nums, room) is not None)

    def _shrink_table(self, f: Table, avail: float, h: float) -> float | None:
        """The height of the most rows that fit here together with their notes; when the
        next row is one no page can hold, down into it, as far as those notes leave room."""
        st = self.notes
        heights = internals.row_heights(f)
        body, keep, seen, kept = 0.0, 0, [], []
        for i, (row, rh) in enumerate(zip(internals.cells(f), heights)):
            if rh is None:
                break
            if body + rh > avail + FUZZ and i >= f.repeatRows and sum(heights[:f.repeatRows]) + rh > self.height:
                into = avail - (st.used_full(kept) if kept else 0.0)
                return into if body + BODY_LEADING < into < h else None
            body += rh
            seen = seen + st.new(notes_in(row))
            if body > avail + FUZZ or not self._fits_notes(seen, avail - body):
                break
            keep, kept = i + 1, seen
        new_h = sum(heights[:keep]) + 0.01
        return new_h if keep > f.repeatRows and new_h < h else None


class FlushNotes(internals.ZeroSize):
    """Last in the story: adds pages while a continued note still has text to show."""

    def wrap(self, aW, aH):
        doc, frame = internals.build_state(self)
        if frame is not None and doc is not None and doc.notes.carry:
            doc.notes.text_done()
            frame.add_generated_content(FrameBreak, FlushNotes())
        return 0, 0

    def draw(self):
        pass
