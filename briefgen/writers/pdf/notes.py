"""Note planning: which notes a flowable brings to the page, and where they fit.

:class:`Notes` is the notes area of the current page: the frame
(:mod:`~briefgen.writers.pdf.frame`) asks it for a :class:`Plan` that fits the notes a
flowable references in the room left, commits the plan when the flowable is placed,
and has it draw the notes above the footer at the end of the page. A long note that
does not fit continues on the next page, above that page's own notes. A note so long
that it fills the notes area of a whole page and goes on (a quote of pages) holds the
notes referenced there: they follow it, as in Word and TeX, so the text goes on.

A reference is an ``<onDraw>`` marker named :data:`MARK` whose label is the note
number: it survives paragraph splits and reports the page it was drawn on.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.platypus import Flowable, Paragraph

from briefgen.writers.pdf import internals
from briefgen.writers.pdf.internals import FUZZ
from briefgen.writers.pdf.styles import GREY, NOTE_LEADING

MARK = "bgfn"        # onDraw callback name of footnote references
SEP = 11.0           # space above the first note on a page; holds the short rule
NOTE_GAP = 2.5       # between notes
PARA_GAP = 1.5       # between blocks of one note
MIN_PART = 2 * NOTE_LEADING + 0.5   # a note split across pages keeps at least two lines here
LONG_NOTE = 5 * NOTE_LEADING        # only notes taller than this may be split
CARRY_CAP = 0.6      # share of the frame a continued note may take on the next page (all of it once the text is done)


def notes_in(f) -> list[int]:
    """Note numbers referenced inside flowable `f` (any depth), in order."""
    if isinstance(f, Paragraph):
        return internals.markers(f, MARK)
    if isinstance(f, (list, tuple)):
        return [n for x in f for n in notes_in(x)]
    return notes_in(internals.contents(f))


def texts_in(f) -> list[str]:
    """The plain text of each paragraph inside flowable `f` (any depth), in order."""
    if isinstance(f, Paragraph):
        return [internals.plain_text(f)]
    if isinstance(f, (list, tuple)):
        return [s for x in f for s in texts_in(x)]
    return texts_in(internals.contents(f))


def line_notes(line) -> list[int]:
    """Note numbers referenced on one line of a wrapped paragraph."""
    return internals.line_markers(line, MARK)


@dataclass
class Plan:
    entries: list       # (note number or 0, flowable, gap above, height)
    used: float         # height these add to the notes area
    carry: list         # (note number or 0, flowable) continuing on the next page
    nums: tuple = ()    # the notes this plan accounts for (all now placed)


class Notes:
    """The notes area of the current page, and notes continuing onto the next."""

    def __init__(self, bodies: list[list[Flowable]], width: float, frame_height: float) -> None:
        self.bodies = bodies
        self.width = width
        self.frame_height = frame_height
        self.cap = CARRY_CAP * frame_height
        self._heights: dict[int, list[float]] = {}
        self.items: list[tuple[int, Flowable, float, float]] = []
        self.height = 0.0
        self.carry: list[tuple[int, Flowable]] = []
        self.closed = False          # the area is full or still finishing a continued note
        self.held = False            # ... finishing one that fills it and goes on: new notes wait after it
        self.placed = bytearray(len(bodies) + 1)
        self.refs: list[int] = []    # references drawn on this page
        self.canv = None             # set when the build starts; some flowables measure with it

    def __deepcopy__(self, memo):    # reportlab deep-copies frames to measure; share the state
        return self

    def heights(self, n: int) -> list[float]:
        h = self._heights.get(n)
        if h is None:
            h = self._heights[n] = [self.wrap(f) for f in self.bodies[n - 1]]
        return h

    def wrap(self, f, height: float = 1e6) -> float:
        f.canv = self.canv
        try:
            return f.wrap(self.width, height)[1]
        finally:
            if "canv" in f.__dict__:
                del f.canv

    def split(self, f, height: float) -> list:
        f.canv = self.canv
        try:
            return f.split(self.width, height)
        finally:
            if "canv" in f.__dict__:
                del f.canv

    def total(self, n: int) -> float:
        h = self.heights(n)
        return sum(h) + PARA_GAP * (len(h) - 1)

    def new(self, nums: list[int]) -> list[int]:
        placed, seen, out = self.placed, set(), []
        for n in nums:
            if not placed[n] and n not in seen:
                seen.add(n)
                out.append(n)
        return out

    def _lay_out(self, nums: list[int], first: bool) -> tuple[list, float]:
        entries, used = [], 0.0
        for n in nums:
            for k, (f, h) in enumerate(zip(self.bodies[n - 1], self.heights(n))):
                gap = 0.0 if first else (NOTE_GAP if k == 0 else PARA_GAP)
                entries.append((n if k == 0 else 0, f, gap, h))
                used += gap + h
                first = False
        return entries, used

    def full(self, nums: list[int]) -> Plan:
        """All of notes `nums`, whole."""
        entries, used = self._lay_out(nums, not self.items)
        return Plan(entries, used + (0.0 if self.items else SEP), [], tuple(nums))

    def used_full(self, nums: list[int]) -> float:
        return self.full(nums).used

    def may_split(self, nums: list[int]) -> bool:
        return not self.closed and any(self.total(n) > LONG_NOTE for n in nums)

    def forced(self, nums: list[int], room: float) -> Plan:
        """Last resort when nothing else fits on an empty page: as much as fits, the rest
        (whole notes included) continues on the next page."""
        sep = 0.0 if self.items else SEP
        pieces = [(n if k == 0 else 0, f) for n in nums for k, f in enumerate(self.bodies[n - 1])]
        part, used, carry = self._fit(pieces, max(room - sep, 0.0), not self.items)
        return Plan(part, sep + used if part else 0.0, carry, tuple(nums))

    def deferred(self, nums: list[int]) -> Plan:
        """Notes `nums` referenced on a page whose notes area a continued note holds:
        they follow it, from the next page on."""
        carry = [(n if k == 0 else 0, f) for n in nums for k, f in enumerate(self.bodies[n - 1])]
        return Plan([], 0.0, carry, tuple(nums))

    def plan(self, nums: list[int], room: float) -> Plan | None:
        """Notes `nums` in `room` points: all of them, or all but the tail of one long note,
        which continues on the next page."""
        if self.closed:
            return None
        full = self.full(nums)
        if full.used <= room + FUZZ:
            return full
        sep = 0.0 if self.items else SEP
        for i in reversed(range(len(nums))):           # the last long note that can split
            if self.total(nums[i]) <= LONG_NOTE:
                continue
            head, head_used = self._lay_out(nums[:i], not self.items)
            tail, tail_used = self._lay_out(nums[i + 1:], False)
            left = room - sep - head_used - tail_used
            if left < MIN_PART:
                continue
            pieces = [(nums[i] if k == 0 else 0, f) for k, f in enumerate(self.bodies[nums[i] - 1])]
            part, used, carry = self._fit(pieces, left, not self.items and not head)
            if used >= MIN_PART:
                return Plan(head + part + tail, sep + head_used + used + tail_used, carry, tuple(nums))
        return None

    def _fit(self, pieces, room: float, first: bool):
        """As many of `pieces` as fit in `room`, splitting the one that does not."""
        entries, used = [], 0.0
        for i, (n, f) in enumerate(pieces):
            gap = 0.0 if first and not entries else (NOTE_GAP if n else PARA_GAP)
            h = self.wrap(f)
            if used + gap + h <= room + FUZZ:
                entries.append((n, f, gap, h))
                used += gap + h
                continue
            left = room - used - gap
            parts = self.split(f, left) if left > NOTE_LEADING else []
            if len(parts) >= 2:
                h1 = self.wrap(parts[0], left)
                if h1 <= left + FUZZ:
                    entries.append((n, parts[0], gap, h1))
                    used += gap + h1
                    return entries, used, [(0, p) for p in parts[1:]] + list(pieces[i + 1:])
            return entries, used, list(pieces[i:])
        return entries, used, []

    def commit(self, plan: Plan) -> None:
        self.items.extend(plan.entries)
        self.height += plan.used            # includes the rule's space when the area was empty
        for n in plan.nums:
            self.placed[n] = 1
            # placed for good (the flowable holding its reference was added): this page's
            # items and the carry hold what is still to draw, so a long briefing's notes
            # are not all kept, laid out, until the end
            self.bodies[n - 1] = []
            self._heights.pop(n, None)
        if plan.carry:
            self.carry.extend(plan.carry)
            self.closed = True

    def text_done(self) -> None:
        """The body text is all placed: continued notes may fill the pages that are left."""
        self.cap = self.frame_height

    def start_page(self) -> None:
        self.items, self.height, self.closed, self.held, self.refs = [], 0.0, False, False, []
        if self.carry:
            entries, used, rest = self._fit(self.carry, self.cap - SEP, True)
            if not entries:                      # cannot happen with a sane cap; keep going
                n, f = self.carry[0]
                entries, used, rest = [(n, f, 0.0, self.wrap(f))], 0.0, self.carry[1:]
                used = entries[0][3]
            self.items, self.height, self.carry = entries, SEP + used, rest
            self.closed = self.held = bool(rest)

    def end_page(self, canv, x: float, y0: float) -> None:
        """Draw this page's notes above `y0`; queue any note whose reference slipped through."""
        if self.items:
            top = y0 + self.height
            canv.saveState()
            canv.setStrokeColor(GREY)
            canv.setLineWidth(0.5)
            canv.line(x, top - 4.5, x + 60, top - 4.5)
            canv.restoreState()
            y = top - SEP
            for n, f, gap, h in self.items:
                y -= gap
                if n:
                    canv.bookmarkHorizontal(f"__fn{n}", x, y + 2)
                y -= h
                if internals.lost_lines(f):
                    self.wrap(f)         # a failed trial split of this note dropped its lines
                f.drawOn(canv, x, y)
        for n in self.refs:                      # never expected: a reference the frame missed
            if not self.placed[n]:
                self.placed[n] = 1
                self.carry.extend((n if k == 0 else 0, f) for k, f in enumerate(self.bodies[n - 1]))
