"""What `validate` warns about in the data: usable, but probably not as meant.

Unknown units, versions of one subject whose values do not compare, and claims that
cannot be dated (so ``--as-of`` leaves them out on every day). Read-only checks over
the loaded project, in the analysis stage's terms (units, readings, known dates).
"""

from __future__ import annotations

from briefgen.analyse import vocabulary
from briefgen.asof import known_dates
from briefgen.dates import parse_date
from briefgen.errors import Problem
from briefgen.load import Project
from briefgen.model import Claim
from briefgen.units import Vocabulary, unit_problems
from briefgen.versions import read

__all__ = ["problems", "UNDATED_SHOWN"]


def problems(project: Project) -> list[Problem]:
    """What `validate` warns about (the data is usable, but probably not as meant):
    unknown units, versions whose values do not compare, and claims that cannot be dated
    (events always can: every event has a date)."""
    vocab = vocabulary(project)
    out = unit_problems(project, vocab)
    out += _incomparable_units(project, vocab)
    out += _undated(project)
    return out


def _incomparable_units(project: Project, vocab: Vocabulary) -> list[Problem]:
    index = {c.id: i for i, c in enumerate(project.claims)}
    first: dict[str, tuple[Claim, tuple]] = {}
    out = []
    for c in project.claims:
        r = read(c, vocab)
        if r is None:
            continue
        seen = first.setdefault(c.subject, (c, r.dimension))
        if seen[1] != r.dimension:
            other = seen[0]
            file, line = project.locate("claims.yaml", "claims", index[c.id], "unit" if c.unit else "value")
            out.append(Problem(
                f"'{c.id}' and '{other.id}' are versions of '{c.subject}' whose values do not compare "
                f"({_what(c)} and {_what(other)}), so they are not checked against each other",
                file=file, line=line, field=f"claims[{index[c.id]}].{'unit' if c.unit else 'value'}",
                hint="give every version of one quantity the same kind of unit, or give them different subjects"))
    return out


def _what(claim: Claim) -> str:
    return f"unit '{claim.unit}'" if claim.unit else "a date" if _is_date(claim.value) else "text"


def _is_date(value) -> bool:
    try:
        parse_date(value)
        return isinstance(value, str)
    except ValueError:
        return False


UNDATED_SHOWN = 20  # past this many, one line says how many more


def _undated(project: Project) -> list[Problem]:
    known = known_dates(project)
    undated = [i for i, c in enumerate(project.claims) if known[c.id] is None]
    out = []
    for i in undated[:UNDATED_SHOWN]:
        file, line = project.locate("claims.yaml", "claims", i, "id")
        out.append(Problem(f"'{project.claims[i].id}' cannot be dated (no as_of, no dated source, no dated event), "
                           "so --as-of leaves it out on every day", file=file, line=line, field=f"claims[{i}]",
                           hint="add `as_of:`, or `events:` naming the event it reports"))
    if len(undated) > UNDATED_SHOWN:
        file, _ = project.locate("claims.yaml")
        out.append(Problem(f"{len(undated) - UNDATED_SHOWN:,} more claims cannot be dated either", file=file,
                           hint="date their sources (`issued:` in sources.yaml), or give them `as_of:` or `events:`"))
    return out
