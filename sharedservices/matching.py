"""Council names as people write them -> ONS GSS codes of a boundary vintage.

A name is normalised (case, accents, punctuation, ``&``/``and``, ``St.``/``Saint``, words such as
"Borough Council", "District", "Metropolitan Borough", "DC", "LB", "City of", "Cyngor"), then
looked up, in this order, as a GSS code, in ``data/council_aliases.csv``, among the names of every
council of every vintage, and last by a fuzzy comparison (rapidfuzz) that only accepts a close
spelling of one council. A council that is not on the chosen vintage's map is followed through
``data/council_changes.csv`` to the council(s) covering its area in that vintage: "Forest Heath"
becomes West Suffolk on the 2023 map, and "West Suffolk" becomes Forest Heath and St Edmundsbury on
the 2013 map. What cannot be matched for certain is reported with the three closest names, never
guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process

from sharedservices import settings
from sharedservices.columns import read_text_csv
from sharedservices.domain import is_gss_code
from sharedservices.errors import UnknownVintageError

#: How a name was matched: its own code, its normalised name, an alias, a close spelling, or
#: (for a council not on the vintage's map) through the table of council changes.
HOW_MATCHED = ("code", "exact", "alias", "changed", "fuzzy")
#: Why a name was not matched.
HOW_FAILED = ("ambiguous", "unmatched", "empty")

#: Fuzzy matches need this much plain similarity (rapidfuzz ``ratio``, 0-100) to be accepted ...
ACCEPT_RATIO = 90.0
#: ... and each word this much, so that "Cheshire West" is never read as "Cheshire East".
ACCEPT_WORD_RATIO = 80.0
#: Names within this many points (rapidfuzz ``WRatio``) of the best one make a name ambiguous.
AMBIGUITY_MARGIN = 3.0
#: Suggestions below this score (``WRatio``) are not worth showing.
MIN_SUGGESTION_SCORE = 60.0

_COUNTY_WORDS = r"county council|county|cc"
#: The kinds of council other than a county, as a name may end with them, "Council" or not.
_OTHER_KINDS = (
    r"metropolitan borough|metropolitan district|county borough|city and district|royal borough|london borough|"
    r"borough|district|metropolitan|city"
)
_OTHER_WORDS = rf"(?:{_OTHER_KINDS})(?: council)?|city corporation|corporation|mbc|mdc|cbc|rbc|dc|bc"
_COUNTY_SUFFIX = re.compile(rf"\s(?:{_COUNTY_WORDS})$")
_OTHER_SUFFIX = re.compile(rf"\s(?:{_OTHER_WORDS})$")
_PLAIN_SUFFIX = re.compile(r"\scouncil$")
_PREFIX = re.compile(
    r"^(?:the|london borough of|royal borough of|metropolitan borough of|county borough of|borough of|"
    r"borough council of|district council of|city and county of|city of(?! london\b)|county of|corporation of|"
    r"council of the|council of|lb of|rb of|lb|rb|cyngor bwrdeistref sirol|cyngor dinas a sir|"
    r"cyngor dinas|cyngor sir|cyngor|county)\s"
)


@lru_cache(maxsize=65536)
def normalise(name: str) -> tuple[str, str, str | None]:
    """Normalise a council name for lookups.

    Parameters
    ----------
    name : str
        A name as written, e.g. ``"St. Edmundsbury B.C."`` or ``"Bristol, City of"``.

    Returns
    -------
    tuple of (str, str, str or None)
        ``(full, key, hint)``: the cleaned name (lower case, plain letters and digits, single
        spaces), the key with generic words such as "Borough Council", "District" or "LB"
        removed, and ``"county"`` when the name ended in County (Council), ``"other"`` when it
        ended in Borough, District, Metropolitan or City, with or without Council (or DC, BC,
        ...), else None.
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r",\s*(?:city|county|borough) of\s*$", "", text.strip())
    text = re.sub(r"[&+]", " and ", text)
    text = re.sub(r"['’`]", "", text)
    text = re.sub(r"\b(?:[a-z]\.){2,}", lambda m: m.group(0).replace(".", ""), text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = re.sub(r"\bsaint\b", "st", text)
    full = " ".join(text.split())
    key, hint = full, None
    while True:
        stripped = _PREFIX.sub("", key)
        for pattern, kind in ((_COUNTY_SUFFIX, "county"), (_OTHER_SUFFIX, "other"), (_PLAIN_SUFFIX, None)):
            if pattern.search(stripped):
                stripped = pattern.sub("", stripped)
                hint = hint or kind
                break
        if stripped == key or not stripped:
            return full, key, hint
        key = stripped


@dataclass(frozen=True)
class Suggestion:
    """A council a name might mean, with a similarity score from 0 to 100."""

    code: str
    name: str
    score: float

    def to_dict(self) -> dict:
        """Plain types for JSON."""
        return {"code": self.code, "name": self.name, "score": round(self.score, 1)}


@dataclass(frozen=True)
class NameMatch:
    """What one written name was matched to, for one boundary vintage.

    ``codes`` is empty when the name was not matched; ``how`` is one of ``HOW_MATCHED`` or
    ``HOW_FAILED``; ``changed_from`` holds the codes a name first matched when they had to be
    followed through the council changes; ``message`` says it all in plain words.
    """

    input: str
    codes: tuple[str, ...]
    how: str
    message: str
    names: tuple[str, ...] = ()
    changed_from: tuple[str, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the name was matched to at least one council of the vintage."""
        return bool(self.codes)

    def to_dict(self) -> dict:
        """Plain types for JSON."""
        return {
            "input": self.input,
            "codes": list(self.codes),
            "names": list(self.names),
            "how": self.how,
            "changed_from": list(self.changed_from),
            "suggestions": [s.to_dict() for s in self.suggestions],
            "message": self.message,
        }


@dataclass
class NameRegister:
    """Every council name known across boundary vintages, ready for fast lookups.

    Build it with :func:`build_register`; it holds no geometry.
    """

    names: dict[str, str]
    vintage_codes: dict[str, frozenset[str]]
    keys: dict[str, frozenset[str]]
    alias_full: dict[str, frozenset[str]]
    alias_keys: dict[str, frozenset[str]]
    successors: dict[str, tuple[str, ...]]
    predecessors: dict[str, tuple[str, ...]]
    choices: list[str] = field(default_factory=list)
    choice_codes: list[frozenset[str]] = field(default_factory=list)

    def matcher(self, vintage: str) -> Matcher:
        """A :class:`Matcher` for one vintage of this register."""
        return Matcher(self, vintage)


def load_changes(path: str | Path | None = None) -> pd.DataFrame:
    """The council changes table (predecessor -> successor codes), all columns as text."""
    return read_text_csv(path or settings.COUNCIL_CHANGES_CSV)


def load_aliases(path: str | Path | None = None) -> pd.DataFrame:
    """The council name aliases table (``alias,code``), as text."""
    return read_text_csv(path or settings.COUNCIL_ALIASES_CSV)


def build_register(
    councils_by_vintage: Mapping[str, pd.DataFrame],
    changes: pd.DataFrame | None = None,
    aliases: pd.DataFrame | None = None,
) -> NameRegister:
    """Build the name register from the councils tables of every vintage.

    Parameters
    ----------
    councils_by_vintage : mapping of str to DataFrame
        Vintage (``"2013"``, ``"2023"``) -> councils table with at least ``code`` and ``name``
        (a GeoDataFrame from ``vintages.load_councils`` will do; geometry is not used).
    changes : DataFrame, optional
        Council changes (``predecessor_code, predecessor_name, successor_code, successor_name``);
        by default ``data/council_changes.csv``. Their names are registered too.
    aliases : DataFrame, optional
        Extra names (``alias, code``); by default ``data/council_aliases.csv``.

    Returns
    -------
    NameRegister
    """
    changes = load_changes() if changes is None else changes
    aliases = load_aliases() if aliases is None else aliases
    names: dict[str, str] = {}
    keys: dict[str, set[str]] = defaultdict(set)
    for side in ("predecessor", "successor"):
        for code, name in zip(changes[f"{side}_code"], changes[f"{side}_name"]):
            names.setdefault(code, name)
            keys[normalise(name)[1]].add(code)
    vintage_codes = {}
    for vintage in sorted(councils_by_vintage):
        table = councils_by_vintage[vintage]
        vintage_codes[vintage] = frozenset(table["code"])
        for code, name in zip(table["code"], table["name"]):
            names[code] = name
            keys[normalise(name)[1]].add(code)
    alias_full: dict[str, set[str]] = defaultdict(set)
    alias_keys: dict[str, set[str]] = defaultdict(set)
    for alias, code in zip(aliases["alias"], aliases["code"]):
        if code not in names:
            continue
        full, key, _ = normalise(alias)
        alias_full[_without_council(full)].add(code)
        alias_keys[key].add(code)
    successors: dict[str, list[str]] = defaultdict(list)
    predecessors: dict[str, list[str]] = defaultdict(list)
    for old, new in zip(changes["predecessor_code"], changes["successor_code"]):
        successors[old].append(new)
        predecessors[new].append(old)
    frozen_keys = {k: frozenset(v) for k, v in keys.items()}
    frozen_alias_keys = {k: frozenset(v) for k, v in alias_keys.items()}
    choices = {**frozen_alias_keys, **frozen_keys}
    return NameRegister(
        names=names,
        vintage_codes=vintage_codes,
        keys=frozen_keys,
        alias_full={k: frozenset(v) for k, v in alias_full.items()},
        alias_keys=frozen_alias_keys,
        successors={k: tuple(v) for k, v in successors.items()},
        predecessors={k: tuple(v) for k, v in predecessors.items()},
        choices=[_fuzzy_form(choice) for choice in choices],
        choice_codes=list(choices.values()),
    )


class Matcher:
    """Match written council names to the GSS codes of one vintage; results are cached.

    Parameters
    ----------
    register : NameRegister
        Names of all vintages, from :func:`build_register`.
    vintage : str
        The boundary vintage whose codes are wanted, e.g. ``"2023"``.
    """

    def __init__(self, register: NameRegister, vintage: str):
        if vintage not in register.vintage_codes:
            known = ", ".join(sorted(register.vintage_codes))
            raise UnknownVintageError(f"No councils table for boundary vintage {vintage!r}; known: {known}.")
        self.register = register
        self.vintage = vintage
        self.present = register.vintage_codes[vintage]
        self._cache: dict[str, NameMatch] = {}

    def match(self, text: object) -> NameMatch:
        """Match one name (or GSS code) as written; see the module docstring for the order."""
        written = "" if text is None or (isinstance(text, float) and text != text) else str(text)
        if written not in self._cache:
            self._cache[written] = self._match(written)
        return self._cache[written]

    def match_many(self, texts: Iterable[object]) -> list[NameMatch]:
        """Match many names; repeated names cost one dictionary lookup."""
        return [self.match(text) for text in texts]

    def _match(self, written: str) -> NameMatch:
        shown = written.strip()
        if not shown:
            return NameMatch(written, (), "empty", "The council name is empty.")
        if is_gss_code(shown.upper()):
            return self._from_code(written, shown.upper())
        full, key, hint = normalise(shown)
        reg = self.register
        alias = _without_council(full)
        if alias in reg.alias_full:
            return self._resolve(written, reg.alias_full[alias], hint, "alias")
        if key in reg.keys:
            return self._resolve(written, reg.keys[key], hint, "exact")
        if key in reg.alias_keys:
            return self._resolve(written, reg.alias_keys[key], hint, "alias")
        return self._fuzzy(written, key, hint)

    def _from_code(self, written: str, code: str) -> NameMatch:
        reg = self.register
        if code in self.present:
            return self._found(written, (code,), "code", ())
        if code in reg.names:
            return self._resolve(written, frozenset([code]), None, "code")
        return NameMatch(written, (), "unmatched", f"No council has the code {code}.")

    def _resolve(
        self, written: str, candidates: frozenset[str], hint: str | None, how: str, suggestions: tuple[Suggestion, ...] = ()
    ) -> NameMatch:
        if hint is not None:
            preferred = {c for c in candidates if c.startswith("E10") == (hint == "county")}
            candidates = frozenset(preferred) or candidates
        present = sorted(candidates & self.present)
        if len(present) == 1:
            return self._found(written, (present[0],), how, (), suggestions)
        if len(present) > 1:
            return self._ambiguous(written, [Suggestion(c, self._name(c), 100.0) for c in present])
        routes = {code: self._follow_changes(code) for code in sorted(candidates)}
        targets = {codes for codes in routes.values() if codes}
        if len(targets) == 1:
            origin = tuple(code for code, codes in routes.items() if codes)
            return self._found(written, targets.pop(), "fuzzy" if how == "fuzzy" else "changed", origin, suggestions)
        if len(targets) > 1:
            options = sorted({c for codes in targets for c in codes})
            return self._ambiguous(written, [Suggestion(c, self._name(c), 100.0) for c in options])
        lost = ", ".join(f"{self._name(c)} ({c})" for c in sorted(candidates))
        return NameMatch(
            written,
            (),
            "unmatched",
            f"'{written.strip()}' is {lost}, which is not on the {self.vintage} map, and the table of "
            "council changes does not say which council took over its area.",
            suggestions=suggestions,
        )

    def _follow_changes(self, code: str) -> tuple[str, ...]:
        """Codes of this vintage that cover the area of ``code``: successors, else predecessors."""
        for links in (self.register.successors, self.register.predecessors):
            found, seen, queue = set(), {code}, [code]
            while queue:
                for nxt in links.get(queue.pop(), ()):
                    if nxt in seen:
                        continue
                    seen.add(nxt)
                    if nxt in self.present:
                        found.add(nxt)
                    else:
                        queue.append(nxt)
            if found:
                return tuple(sorted(found))
        return ()

    def _fuzzy(self, written: str, key: str, hint: str | None) -> NameMatch:
        reg = self.register
        query = _fuzzy_form(key)
        found = process.extract(
            query, reg.choices, scorer=fuzz.WRatio, limit=12, score_cutoff=MIN_SUGGESTION_SCORE, processor=None
        )
        best_by_name: dict[str, tuple[float, float, Suggestion]] = {}
        for choice, score, index in found:
            rank = (score, fuzz.ratio(query, choice))  # plain similarity breaks ties
            for code in sorted(reg.choice_codes[index], key=lambda c: c not in self.present):
                name = self._name(code)
                if name not in best_by_name or rank > best_by_name[name][:2]:
                    best_by_name[name] = (*rank, Suggestion(code, name, score))
        ranked = sorted(best_by_name.values(), key=lambda item: (-item[0], -item[1], item[2].name))
        suggestions = tuple(item[2] for item in ranked[:3])
        if not found:
            return NameMatch(
                written, (), "unmatched", f"No council called '{written.strip()}' was found, and no council's name is close."
            )
        close = {reg.choice_codes[index] for choice, _, index in found if _close_spelling(query, choice)}
        if len(close) == 1:
            accepted = close.pop()
            first = tuple(sorted(suggestions, key=lambda s: s.code not in accepted))
            return self._resolve(written, accepted, hint, "fuzzy", first)
        top_score = found[0][1]
        rivals = {
            reg.choice_codes[index] for _, score, index in found if score >= max(ACCEPT_RATIO, top_score - AMBIGUITY_MARGIN)
        }
        if len(close) > 1 or len(rivals) > 1:
            options = {code for codes in (close or rivals) for code in codes}
            return self._ambiguous(written, [s for s in suggestions if s.code in options] or list(suggestions))
        listed = ", ".join(f"{s.name} ({s.code}, {s.score:.0f}% similar)" for s in suggestions)
        return NameMatch(
            written,
            (),
            "unmatched",
            f"No council called '{written.strip()}' was found. Closest: {listed}.",
            suggestions=suggestions,
        )

    def _found(
        self, written: str, codes: tuple[str, ...], how: str, origin: tuple[str, ...], suggestions: tuple[Suggestion, ...] = ()
    ) -> NameMatch:
        names = tuple(self._name(c) for c in codes)
        listed = _and_list([f"{n} ({c})" for n, c in zip(names, codes)])
        subject = _and_list([f"{self._name(c)} ({c})" for c in origin]) if origin else listed
        shown = written.strip()
        if how == "fuzzy":
            score = suggestions[0].score if suggestions else 0.0
            message = f"'{shown}' was read as {subject}, a close but not exact spelling ({score:.0f}% similar); please check it."
        else:
            message = f"'{shown}' is {subject}."
        if origin and any(c in self.register.successors for c in origin):
            message += f" That council no longer exists on the {self.vintage} map; its area is now {listed}."
        elif origin:
            message += f" That council did not exist yet on the {self.vintage} map; its area was then {listed}."
        return NameMatch(written, codes, how, message, names, origin, suggestions)

    def _ambiguous(self, written: str, options: list[Suggestion]) -> NameMatch:
        listed = " or ".join(f"{s.name} ({s.code})" for s in options)
        return NameMatch(
            written,
            (),
            "ambiguous",
            f"'{written.strip()}' could mean {listed}; please write the full name or the code.",
            suggestions=tuple(options[:3]),
        )

    def _name(self, code: str) -> str:
        return self.register.names.get(code, code)


def _without_council(full: str) -> str:
    """A cleaned name without a closing "Council": "Newcastle Borough Council" -> "newcastle borough"."""
    return _PLAIN_SUFFIX.sub("", full)


_LINKING_WORDS = re.compile(r"\b(?:and|of|the|upon|on|under|in|with)\b")


def _fuzzy_form(key: str) -> str:
    """A key without linking words, which would make unrelated names look alike."""
    return " ".join(_LINKING_WORDS.sub(" ", key).split())


def _close_spelling(a: str, b: str) -> bool:
    """True when ``b`` is ``a`` with small typing mistakes: close overall and word by word."""
    words_a, words_b = a.split(), b.split()
    return (
        len(words_a) == len(words_b)
        and fuzz.ratio(a, b) >= ACCEPT_RATIO
        and all(fuzz.ratio(x, y) >= ACCEPT_WORD_RATIO for x, y in zip(words_a, words_b))
    )


def _and_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
