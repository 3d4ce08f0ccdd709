"""Turn incident prose into comparable terms: phrases, synonyms, stems, stop words.

Two look-alike incidents rarely use the same words ("failed over" / "fail-over",
"TLS cert" / "certificate", "OOM-killed" / "ran out of memory"), so text is normalised in
three steps: multi-word phrases become one canonical term, each remaining word is stemmed
with a light suffix stripper, and stems that name the same SRE concept map to one term.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Sequence

import numpy as np

WORD_CHARACTERS = string.ascii_lowercase + string.digits
"""What a word of lower-cased text is made of (``WORD``), as terms and clues are looked up."""
WORD = "[a-z0-9]"
"""``WORD_CHARACTERS`` as a regular expression."""

# Multi-word and hyphenated spellings rewritten to one canonical word before tokenising.
PHRASES: dict[str, tuple[str, ...]] = {
    "failover": (
        r"fail(?:ed|s|ing)?[- ]?overs?",
        r"switch(?:ed|es|ing)?[- ]?overs?",
        r"flipped over to",
        r"promot(?:ed|ing|ion of) (?:the |a )?(?:replica|standby|secondary)",
    ),
    "outofmemory": (
        r"out[- ]of[- ]memory",
        r"oom[- ]?kill(?:ed|er|s|ing)?",
        r"oom",
        r"ran out of (?:heap|memory|ram)",
        r"(?:heap|memory|ram) exhaust(?:ed|ion)",
        r"memory (?:pressure|limits?)",
    ),
    "certificate": (r"x\.?509", r"ssl", r"tls", r"https? cert(?:ificate)?s?", r"certs?"),
    "diskfull": (
        r"dis[kc]s? (?:was |were |is )?full",
        r"no space left(?: on device)?",
        r"ran out of (?:disk|storage)(?: space)?",
        r"(?:disk|storage) (?:space )?exhaust(?:ed|ion)",
        r"filled (?:up )?the (?:disk|volume|partition)",
    ),
    "rollback": (r"roll(?:ed|ing|s)?[- ]?backs?", r"revert(?:ed|ing|s)?"),
    "timeout": (r"tim(?:e|ed|es|ing)[- ]?outs?",),
    "loadbalancer": (r"load[- ]?balanc(?:er|ers|ing)", r"lbs?"),
    "ratelimit": (r"rate[- ]?limit(?:s|ed|ing|er)?", r"throttl(?:e|ed|es|ing)"),
    "splitbrain": (r"split[- ]brain",),
    "retrystorm": (r"retry storms?", r"thundering herds?"),
    "leapsecond": (r"leap[- ]seconds?",),
    "connectionpool": (r"connection[- ]pools?", r"pool of connections"),
    "humanerror": (r"human errors?", r"fat[- ]finger(?:ed|s)?", r"typos?"),
    "primary": (r"master (?:database|node|db|server|instance)",),
    "thirdparty": (r"third[- ]part(?:y|ies)", r"upstream (?:provider|vendor)s?"),
    "redos": (
        r"catastrophic(?:ally)? backtrack(?:ing|ed|s)?",
        r"exponential[- ]time",
        r"backtrack(?:ing|ed|s)?",
    ),
    "regex": (r"regular expressions?", r"regexp?s?"),
    "firewall": (r"web application firewalls?", r"request[- ]filter(?:ing|s)?", r"wafs?"),
    "badgateway": (r"bad gateway", r"gateway errors?", r"50[234]s?"),
    "acquirer": (
        r"payment (?:provider|processor|gateway)s?",
        r"card (?:provider|processor|gateway)s?",
        r"acquir(?:er|ers|ing banks?)",
        r"psps?",
    ),
    "powerloss": (r"power (?:outage|failure|loss|cut)s?", r"lost power"),
}

# Stems (after stemming) that name one concept; each variant maps to its canonical term.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "replication": ("replica", "replication", "replicate", "slave", "standby", "secondary"),
    "database": ("db", "database", "postgres", "postgresql", "mysql", "rds", "aurora", "sql"),
    "certificate": ("certificate", "cert"),
    "expiry": ("expiry", "expire", "expiration", "lapse"),
    "configuration": ("config", "configuration", "misconfiguration", "setting", "misconfigure"),
    "deploy": ("deploy", "deployment", "rollout", "release", "redeploy", "ship"),
    "regex": ("regex", "pattern"),
    "cpu": ("cpu", "processor", "core"),
    "failover": ("failover", "fallback", "redundancy", "redundant"),
    "memory": ("memory", "ram", "heap", "rss"),
    "fail": ("fail", "failure", "broke", "broken", "break"),
    "overload": ("overload", "saturate", "saturation", "exhaust", "exhaustion", "overwhelm"),
    "latency": ("latency", "slow", "slowness", "sluggish", "lag"),
    "queue": ("queue", "kafka", "rabbitmq", "sqs", "broker", "backlog"),
    "cache": ("cache", "memcached", "redis", "caching"),
    "kubernetes": ("kubernetes", "k8s", "pod", "kubelet"),
    "dns": ("dns", "resolver", "nameserver", "route53"),
    "network": ("network", "networking", "connectivity", "bgp", "router", "switch"),
    "disk": ("disk", "volume", "storage", "ssd", "hdd", "drive"),
    "clock": ("clock", "ntp", "skew", "drift", "time-sync"),
    "crash": ("crash", "crashloop", "panic", "segfault", "abort"),
    "primary": ("primary", "master", "leader", "writer"),
    "script": ("script", "command", "cli", "shell"),
    "manual": ("manual", "manually", "hand", "adhoc"),
    "delete": ("delete", "deletion", "drop", "truncate", "wipe", "purge", "remove"),
    "dependency": ("dependency", "vendor", "provider", "upstream", "thirdparty"),
    "cron": ("cron", "crontab", "schedule", "scheduler", "nightly"),
    "migration": ("migration", "migrate", "schema"),
}

# How canonical phrase terms are shown in reasons.
LABELS: dict[str, str] = {
    "outofmemory": "out of memory",
    "diskfull": "disk full",
    "loadbalancer": "load balancer",
    "ratelimit": "rate limit",
    "splitbrain": "split brain",
    "retrystorm": "retry storm",
    "leapsecond": "leap second",
    "connectionpool": "connection pool",
    "humanerror": "human error",
    "thirdparty": "third party",
    "powerloss": "power loss",
}

# Function words, postmortem boilerplate and time words: frequent, but never the story.
_STOP_TEXT = """
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers him his how i if in into is it its itself just me more most my
no nor not now of off on once only or other our ours out over own same she should so some such
than that the their them then there these they this those through to too under until up very was
we were what when where which while who whom why will with would you your yours us via per within
without onto across around among upon whose whether however instead incident incidents outage
outages issue issues problem problems user users customer customers service services team teams
engineer engineers engineering cause caused causing result resulted resulting due led lead
approximately several multiple many new time occurred happen happened experience experienced
affect affected impact impacted minute minutes hour hours second seconds day days week weeks
month months year years today yesterday morning evening night utc gmt cet cest est edt pst pdt pm
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

_VOWEL = re.compile(r"[aeiouy]")

# (suffix, replacement), longest first; a suffix is only stripped when a vowel stays.
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("izations", ""),
    ("isations", ""),
    ("ization", ""),
    ("isation", ""),
    ("izing", ""),
    ("ising", ""),
    ("ized", ""),
    ("ised", ""),
    ("izes", ""),
    ("ises", ""),
    ("ize", ""),
    ("ise", ""),
    ("ational", ""),
    ("fulness", "ful"),
    ("iveness", "ive"),
    ("ousness", "ous"),
    ("ations", ""),
    ("ation", ""),
    ("ating", ""),
    ("ated", ""),
    ("ates", ""),
    ("ate", ""),
    ("ities", ""),
    ("ility", "le"),
    ("ments", ""),
    ("ment", ""),
    ("ness", ""),
    ("ings", ""),
    ("ing", ""),
    ("ies", "y"),
    ("ied", "y"),
    ("ity", ""),
    ("ers", ""),
    ("er", ""),
    ("ed", ""),
    ("ly", ""),
    ("es", ""),
    ("s", ""),
)
_UNDOUBLE = re.compile(r"([bdfgklmnprt])\1$")


def stem(word: str) -> str:
    """A light, deterministic suffix stripper (English inflections and common derivations)."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith(("ss", "us", "is", "ous")):
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix):
            base = word[: -len(suffix)]
            if len(base) >= 2 and _VOWEL.search(base[:-1] or base):
                if suffix in ("es",) and not base.endswith(("ch", "sh", "x", "z", "ss")):
                    base += "e"
                word = base + replacement
                break
    word = _UNDOUBLE.sub(r"\1", word)
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def _spellings() -> Iterator[str]:
    """Every phrase pattern, in ``PHRASES`` order; a leading group of plain words becomes one
    pattern per word."""
    for pattern in (p for patterns in PHRASES.values() for p in patterns):
        if pattern.startswith("(?:"):
            close = pattern.index(")")
            yield from (word + pattern[close + 1 :] for word in pattern[3:close].split("|"))
        else:
            yield pattern


def _by_first_letter() -> str:
    """All phrase patterns as one alternation, grouped by first letter (a cheap dispatch);
    patterns sharing a first letter keep their order, so the same alternative wins."""
    groups: dict[str, list[str]] = {}
    for spelled in _spellings():
        groups.setdefault(spelled[0], []).append(spelled[1:])
    return "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in sorted(groups.items()))


def _beginning(pattern: str) -> str:
    """The letters and digits every match of a phrase pattern begins with."""
    literal = re.match(f"{WORD}*", pattern).group()  # type: ignore[union-attr]
    if pattern[len(literal) : len(literal) + 1] in ("?", "*", "{"):
        literal = literal[:-1]  # a quantifier makes the last one optional
    if not literal:
        raise ValueError(f"a phrase must begin with a letter or digit: {pattern}")
    return literal


_PHRASE = rf"(?:{_by_first_letter()})\b"
_PHRASE_AT = re.compile(rf"\b{_PHRASE}")
_PHRASE_BEGINNINGS = tuple(sorted({_beginning(spelled) for spelled in _spellings()}))
_WORDS_ONLY = bytes(byte if chr(byte) in WORD_CHARACTERS else ord(" ") for byte in range(256))
"""A ``bytes.translate`` table making every byte but a word character a space: splitting
ASCII text translated with it gives its words, as ``WORD+`` finds them."""
_IN_WORD = np.asarray([chr(byte) in WORD_CHARACTERS for byte in range(256)])
"""For each byte, whether it is a word character."""
_DOT = ord(".")
_PHRASE_OF = re.compile(
    "|".join(f"(?P<{canonical}>{'|'.join(patterns)})" for canonical, patterns in PHRASES.items())
)
"""Every phrase as one named group, in ``PHRASES`` order: the first spelled as a token is the
group a full match ends in."""
_CANONICAL = frozenset(PHRASES) | frozenset(SYNONYMS)
_SYNONYM_OF = {stem(variant): canonical for canonical, vs in SYNONYMS.items() for variant in vs}
_TERM_OF: dict[str, str | None] = {}
"""Every word seen so far and its term (None for a stop word): words repeat, stems are slow."""
_SPELLING: dict[str, str] = {}
"""For each term, the shortest (then alphabetically first) word seen for it, shown in reasons."""
_TOKEN_TERM: dict[str, str | None] = {}
"""Every token seen so far and its term."""


def _learn(word: str) -> str | None:
    term: str | None
    bare = word.strip(".")
    if bare in _CANONICAL:
        term = bare
    elif bare in STOP_WORDS or len(bare) < 2 or not bare[0].isalpha():
        term = None
    else:
        stemmed = stem(bare.replace(".", ""))
        term = _SYNONYM_OF.get(stemmed, stemmed)
        if term in STOP_WORDS:
            term = None
    _TERM_OF[word] = term
    if term is not None:
        known = _SPELLING.get(term)
        if known is None or (len(bare), bare) < (len(known), known):
            _SPELLING[term] = bare
    return term


def normalise(word: str) -> str | None:
    """The term a word counts as, or None for a stop word or noise."""
    return _TERM_OF[word] if word in _TERM_OF else _learn(word)


def tokens(text: str) -> list[str]:
    """The phrases (multi-word or hyphenated spellings of one concept) and words of a text,
    in order, lower-cased (see ``tokenise``)."""
    numbers, _, vocabulary = tokenise([text])
    return [vocabulary[number] for number in numbers.tolist()]


def tokenise(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    r"""The tokens of ``texts``, lower-cased, in order: each token's number in the vocabulary,
    the number of its text, and the vocabulary (the distinct tokens).

    A token is a phrase where one begins, else a word of letters and digits with dots inside
    (a word ends before a dot that a phrase follows): the tokens the regular expression
    ``\b{_PHRASE}|[a-z0-9]+(?:\.+(?!{_PHRASE})[a-z0-9]+)*`` finds in each text, found with
    arrays: words are split as bytes, and a phrase is only tried where a word begins as one."""
    lowered_texts = [text.lower() for text in texts]
    lowered = "\n".join(lowered_texts)  # no token holds a line end
    codes, word_ids, names = split_words(lowered)
    starts, ends = word_bounds(codes)
    begins, phrases = _phrases(lowered, starts, word_ids, names)
    phrase_starts = np.asarray([start for start, _, _ in phrases], dtype=np.int64)
    phrase_ends = np.asarray([end for _, end, _ in phrases], dtype=np.int64)
    inside = np.searchsorted(phrase_starts, starts, "right") - 1
    covered = (inside >= 0) & (starts < phrase_ends[np.maximum(inside, 0)] if phrases else False)
    # Dotted words: a word joins the next when only dots lie between them, it is in no phrase,
    # and no phrase begins at the next.
    dots = np.concatenate([[0], np.cumsum(codes == _DOT, dtype=np.int64)])
    gap = starts[1:] - ends[:-1]
    joins = (gap > 0) & (dots[starts[1:]] - dots[ends[:-1]] == gap) & ~covered[:-1] & ~begins[1:]
    heads = np.flatnonzero(~covered & ~np.concatenate([[False], joins]))
    chain_ends = np.flatnonzero(~np.append(joins, False))
    lasts = chain_ends[np.searchsorted(chain_ends, heads)]
    # Number the tokens: plain words by their word, dotted words and phrases by their text.
    plain = lasts == heads
    plain_words = word_ids[heads[plain]]
    vocabulary: dict[str, int] = {}
    number_of_word = np.full(len(names), -1, dtype=np.int64)
    for word in np.unique(plain_words).tolist():
        number_of_word[word] = vocabulary.setdefault(names[word], len(vocabulary))
    dotted = zip(starts[heads[~plain]].tolist(), ends[lasts[~plain]].tolist(), strict=True)
    spelled = [lowered[start:end] for start, end in dotted] + [text for _, _, text in phrases]
    spelled_numbers = np.fromiter(
        (vocabulary.setdefault(text, len(vocabulary)) for text in spelled),
        dtype=np.int64,
        count=len(spelled),
    )
    positions = np.concatenate([starts[heads[plain]], starts[heads[~plain]], phrase_starts])
    numbers = np.concatenate([number_of_word[plain_words], spelled_numbers])
    order = np.argsort(positions, kind="stable")
    text_starts = np.cumsum([0] + [len(text) + 1 for text in lowered_texts[:-1]])
    text_of = np.searchsorted(text_starts, positions[order], "right") - 1
    return numbers[order], text_of, list(vocabulary)


def split_words(text: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The words of lower-cased ``text`` (runs of ASCII letters and digits): the text as bytes
    (one per character, ``?`` for any but ASCII), each word's number in order, and the
    distinct words by number."""
    ascii_text = text.encode("ascii", "replace")
    words = ascii_text.translate(_WORDS_ONLY).split()
    distinct = {word: number for number, word in enumerate(dict.fromkeys(words))}
    word_ids = np.fromiter(map(distinct.__getitem__, words), dtype=np.int64, count=len(words))
    names = [word.decode("ascii") for word in distinct]
    return np.frombuffer(ascii_text, dtype=np.uint8), word_ids, names


def word_bounds(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each word of ``split_words``' bytes starts and ends."""
    inside = _IN_WORD[codes]
    edges = np.flatnonzero(np.diff(inside, prepend=False, append=False))
    return edges[0::2], edges[1::2]


def _phrases(
    lowered: str, starts: np.ndarray, word_ids: np.ndarray, names: list[str]
) -> tuple[np.ndarray, list[tuple[int, int, str]]]:
    """Which words a phrase begins at, and the phrases in reading order (start, end, text)
    but any overlapping the one before; a phrase is only tried where a word begins as one
    may."""
    may_begin = np.fromiter(
        (name.startswith(_PHRASE_BEGINNINGS) for name in names), dtype=bool, count=len(names)
    )
    begins = np.zeros(len(starts), dtype=bool)
    phrases: list[tuple[int, int, str]] = []
    tried = np.flatnonzero(may_begin[word_ids])
    for word, position in zip(tried.tolist(), starts[tried].tolist(), strict=True):
        if match := _PHRASE_AT.match(lowered, position):
            begins[word] = True
            if not phrases or position >= phrases[-1][1]:
                phrases.append((position, match.end(), match.group()))
    return begins, phrases


def token_term(token: str) -> str | None:
    """The term a token counts as (a phrase's canonical term, else the word's), or None for a
    stop word or noise."""
    known = _TOKEN_TERM.get(token, _TOKEN_TERM)
    if known is not _TOKEN_TERM:
        return known  # type: ignore[return-value]
    phrase = _PHRASE_OF.fullmatch(token)
    term = normalise((phrase.lastgroup if phrase else None) or token)
    _TOKEN_TERM[token] = term
    return term


def terms(text: str) -> list[str]:
    """The terms of a text, in order; stop words are left out."""
    return [term for term in map(token_term, tokens(text)) if term is not None]


def label(term: str) -> str:
    """How a term is shown to a reader: its canonical name, else the shortest word seen for it."""
    if term in _CANONICAL:
        return LABELS.get(term, term)
    return _SPELLING.get(term, term)
