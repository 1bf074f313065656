"""Topics: what the built-in audiences read, named so that any story can map its tags.

A built-in profile never names a project's tags: it names topics (``capital``,
``technology``, ...). A project says which of its own tags mean each topic in
``briefgen.yaml``::

    topics:
      capital: [funding, cost]
      technology: [chemistry]

A profile's ``topics`` then select what carries any of those tags. A topic the project
does not map selects nothing by itself: when the project maps none of a profile's
topics, that condition is dropped and the profile's generic fields (kinds,
significance, statuses, claimant kinds) alone decide.

A project may also list its whole tag vocabulary (``tags:``); then every tag on an
event or claim must be in it, which catches the typo that silently drops an item from
an audience.
"""

from __future__ import annotations

import difflib
from typing import Any

from briefgen.errors import Problem
from briefgen.model import ClaimSelection, EventSelection, Selection
from briefgen.yamlio import YamlDoc, dotted

TOPICS: dict[str, str] = {
    "capital": "money committed or raised: investment and spending plans, funding, debt, what projects cost",
    "revenue": "money earned: revenue, growth, results, margins and profit",
    "market": "how the market responds: share price, valuation, market share, customers and competitors",
    "outlook": "what is expected: forecasts, targets, guidance and analysts' views",
    "technology": "what is built and how it performs: products, launches, capabilities, technical figures",
    "operations": "how it is made and delivered: facilities, capacity, production, infrastructure, schedules",
}


def _suggest(word: str, known: list[str]) -> str | None:
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def unknown_topic(name: str, doc: YamlDoc | None, path: tuple) -> Problem:
    return Problem(f"unknown topic '{name}'", file=doc.file if doc else None,
                   line=doc.line(path) if doc else None, field=dotted(path),
                   hint=_suggest(name, list(TOPICS)) or "topics are: " + ", ".join(TOPICS))


def check_project(models: dict[str, Any], docs: dict[str, YamlDoc]) -> list[Problem]:
    """The topic mapping and tag vocabulary of briefgen.yaml against the data's tags."""
    config, doc = models.get("briefgen.yaml"), docs.get("briefgen.yaml")
    if config is None or doc is None:
        return []
    vocabulary = config.tags
    used = _tags_used(models, docs)
    problems = []
    for name, tags in config.topics.items():
        if name not in TOPICS:
            problems.append(unknown_topic(name, doc, ("topics", name)))
        for j, tag in enumerate(tags):
            where = dict(file=doc.file, line=doc.line(("topics", name, j)), field=dotted(("topics", name, j)))
            if vocabulary is not None and tag not in vocabulary:
                problems.append(Problem(f"tag '{tag}' is not among the tags declared in `tags:`", **where,
                                        hint=_suggest(tag, vocabulary) or "add it to `tags:`, or fix it"))
            elif used is not None and tag not in used:
                problems.append(Problem(f"no event or claim has the tag '{tag}'", **where,
                                        hint=_suggest(tag, sorted(used)) or "remove it, or tag the events and claims it means"))
    if vocabulary is not None and used is not None:
        for tag, (file_doc, path, count) in used.items():
            if tag not in vocabulary:
                more = f" ({count} uses; this is the first)" if count > 1 else ""
                problems.append(Problem(
                    f"tag '{tag}' is not among the tags declared in briefgen.yaml{more}",
                    file=file_doc.file, line=file_doc.line(path), field=dotted(path),
                    hint=_suggest(tag, vocabulary) or "add it to `tags:` in briefgen.yaml, or fix it"))
    return problems


def _tags_used(models: dict[str, Any], docs: dict[str, YamlDoc]) -> dict[str, tuple[YamlDoc, tuple, int]] | None:
    """Each tag on an event or claim: (file, path of its first use, uses); None if either file failed."""
    if "events.yaml" not in models or "claims.yaml" not in models:
        return None
    used: dict[str, tuple[YamlDoc, tuple, int]] = {}
    for fname, key in (("events.yaml", "events"), ("claims.yaml", "claims")):
        for i, item in enumerate(getattr(models[fname], key)):
            for j, tag in enumerate(item.tags):
                first = used.get(tag)
                used[tag] = (first[0], first[1], first[2] + 1) if first else (docs[fname], (key, i, "tags", j), 1)
    return used


def check_selection(selection: Selection, doc: YamlDoc | None) -> list[Problem]:
    """Topics a profile names that briefgen does not know."""
    return [unknown_topic(name, doc, ("select", part, "topics", j))
            for part in ("events", "claims")
            for j, name in enumerate(getattr(selection, part).topics) if name not in TOPICS]


def resolve(selection: Selection, topics: dict[str, list[str]]) -> Selection:
    """The selection with its topics turned into this project's tags."""
    return selection.model_copy(update={"events": _resolved(selection.events, topics),
                                        "claims": _resolved(selection.claims, topics)})


def _resolved(part: EventSelection | ClaimSelection, topics: dict[str, list[str]]):
    if not part.topics:
        return part
    mapped = [tag for name in part.topics for tag in topics.get(name, [])]
    if not mapped:  # the project maps none of them: the generic fields alone select
        return part.model_copy(update={"topics": []})
    return part.model_copy(update={"topics": [], "tags": list(dict.fromkeys([*part.tags, *mapped]))})
