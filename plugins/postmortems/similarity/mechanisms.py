# ruff: noqa: E501  (the lexicon: one phrasing per line reads better than split regexes)
"""Failure mechanisms recognised in prose: a curated lexicon of how SREs describe each mode.

Each failure mode of the schema's ``failureMode`` vocabulary has phrasings here: regular
expressions over lower-cased text, most of them two ideas near each other ("disk ... full",
"ran out of ... space"), so that "the data volume ran out of space" and "log growth exhausted the
disk" both count as ``disk-full`` without sharing a word. The lexicon names mechanisms, not
products or any one incident: every entry lists the many ways the same failure is told.
A mode a site adds to its vocabulary without phrasings here is matched only when declared.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from .text import WORD, split_words, word_bounds

GAP = 6
"""Most words allowed between the two ideas of a ``near`` phrasing."""
_SPACE = r"[^\w.!?;:\n]"
"""What may separate the words of one phrasing: anything but a sentence end."""


_SIDES: dict[str, tuple[str, ...]] = {}
"""For each ``near``/``then`` phrasing, the alternations that must each occur for it to match."""
_ORDERED: set[str] = set()
"""The ``then`` phrasings: their first side comes first."""


def near(first: str, second: str, gap: int = GAP) -> str:
    """``first`` then ``second`` within ``gap`` words, in either order (each a regex alternation
    of word beginnings)."""
    between = rf"(?:{_SPACE}+\w+){{0,{gap}}}{_SPACE}+"
    pattern = rf"\b(?:{first})\w*{between}(?:{second})\w*|\b(?:{second})\w*{between}(?:{first})\w*"
    _SIDES[pattern] = (first, second)
    return pattern


def then(first: str, second: str, gap: int = GAP) -> str:
    """``first`` then ``second`` within ``gap`` words, in this order only."""
    pattern = rf"\b(?:{first})\w*(?:{_SPACE}+\w+){{0,{gap}}}{_SPACE}+(?:{second})\w*"
    _SIDES[pattern] = (first, second)
    _ORDERED.add(pattern)
    return pattern


_RAN_OUT = r"ran out|runs? out|running out|exhaust|full\b|fill|no (?:free|more|space)|used up|use up|uses up|consum|reach|hit\b|hits\b|max(?:ed|imum)? out|depleted|out of"
_STORAGE = r"disk|volume|storage|partition|log director|data director|filesystem|file system|root fs|data dir|inode|wal\b|binlog"
_SPACE_GONE = r"ran out|runs? out|running out|exhaust|full\b|filled|fill(?:s|ing)? up|no (?:free |more )?space|out of space|100 ?%|used up|grew until"
_TIME_WORD = r"clock|time sync|ntp|chrony|ntpd|system time|wall time|timestamp|time daemon"
_LIFETIME = r"licen[cs]e|domain|registration|credential|secret|password|api key|keys?\b|token|subscription|term\b|contract|signing key"
_EXPIRED = r"expir|lapse|ran out|ended|end date|not renewed|no longer valid|outlived|past its"

PHRASINGS: dict[str, tuple[str, ...]] = {
    "disk-full": (
        near(_STORAGE, _SPACE_GONE),
        r"no space left",
        r"enospc",
        r"ran out of (?:\w+ )?space",
        r"out of (?:disk|storage)",
        r"(?:disk|storage|volume) (?:usage|utili[sz]ation) (?:at|reached|hit) 100",
    ),
    "memory-exhaustion": (
        r"out[- ]of[- ]memory|\boom\b|oom[- ]?kill|oomkill",
        near(r"memory|heap|\bram\b|rss", _RAN_OUT + r"|leak|grew|pressure|limit|bloat"),
        r"memory leak|leak(?:ed|ing|s)? memory",
        r"cgroup (?:memory )?limit",
    ),
    "connection-exhaustion": (
        near(r"connection|conn\b|conns\b|sessions?\b", _RAN_OUT + r"|limit|cap\b|ceiling"),
        r"max_connections|too many connections|too many clients",
        r"connection pool (?:was |were |is |got )?(?:exhausted|drained|starved|full|maxed)|pool (?:was |were |is |got )?(?:exhausted|drained|starved|full|maxed)",
    ),
    "handle-exhaustion": (
        r"file descriptors?|\bfds?\b|open files|emfile|enfile|ulimit",
        r"ephemeral ports?|source ports?|local ports?|port range|time_wait|eaddrnotavail",
        near(r"descriptor|socket|inode|handle|pid\b|pids\b|process table", _RAN_OUT + r"|leak"),
    ),
    "worker-starvation": (
        near(
            r"threads|workers|goroutines|request handlers|thread pool|worker pool|event loop|executor",
            r"blocked|hung|hang|stuck|parked|waiting|starv|tied up|all busy|no (?:\w+ )?free",
            4,
        ),
        then(
            r"thread pool|worker pool|all (?:\w+ )?(?:threads|workers)",
            r"exhaust|used up|consum",
            3,
        ),
        near(
            r"no timeout|without (?:a )?(?:timeout|deadline)|no deadline|infinite timeout|never timed out|timeout was infinite",
            r"call|request|client|dependency|upstream",
        ),
        r"bulkhead",
    ),
    "address-exhaustion": (
        near(
            r"ip address|ip addresses|ips\b|address(?:es)?|subnet|cidr|ip space|address space|dhcp",
            _RAN_OUT + r"|assignable|allocat|free",
        ),
        r"ip exhaustion|address exhaustion",
    ),
    "quota-exhaustion": (
        near(
            r"quota|rate limit|ratelimit|request (?:limit|allowance|budget)|allowance|api limit|throttl",
            _RAN_OUT + r"|429|refus|reject|block|throttl",
        ),
        r"\b429s?\b|too many requests",
        r"(?:secondary|abuse) (?:rate )?limit",
    ),
    "counter-overflow": (
        r"overflow|wrap[- ]?around|wrapped around|rolled over to (?:zero|negative)",
        near(
            r"32[- ]bit|int32|int\b|integer|counter|sequence|identifier|id column|transaction id|\bxid",
            r"max|ceiling|limit|overflow|147,?483,?647|294,?967,?295|out of range|wrap|fit",
        ),
        r"147,?483,?647|294,?967,?295|y2k|year 2038",
    ),
    "clock-skew": (
        near(
            _TIME_WORD,
            r"drift|skew|jump|wrong|behind|ahead|off\b|offset|stopp|disabled|not running|stale|resync|not sync|out of sync|past|future",
        ),
        near(
            r"token|signature|ticket|assertion|otp|totp|kerberos|jwt",
            r"not yet valid|clock|time|skew|issued in the future|timestamp",
        ),
    ),
    "leap-second": (
        r"leap[- ]seconds?|inserted second|23:59:60|smear(?:ed|ing)? (?:the )?(?:extra )?second",
    ),
    "calendar-edge": (
        r"leap (?:year|day)|february 29|feb(?:ruary)? 29|29 feb",
        r"daylight saving|summer time|winter time|\bdst\b|clocks? (?:went|go|goes|jumped|jump) (?:back|forward)|fall back|spring forward",
        near(
            r"time ?zone|local time|calendar|date arithmetic|date math|day (?:had|has) (?:23|24|25) hours",
            r"assum|bug|wrong|twice|skip|missing|repeat|exist",
        ),
        r"end of (?:the )?(?:month|year) (?:boundary|rollover)|new year'?s? (?:day|eve) bug",
    ),
    "certificate-expiry": (
        near(
            r"certificate|cert\b|certs\b|tls|ssl|x509",
            _EXPIRED + r"|valid (?:until|to)|not after",
        ),
    ),
    "expiry": (
        near(_LIFETIME, _EXPIRED),
        r"(?:forgot|failed|missed) to renew|renewal (?:failed|was missed|did not happen)|auto-?renew(?:al)? failed",
    ),
    "retry-storm": (
        r"retry storm|thundering herd|reconnect(?:ion)? storm|retry amplification|metastable",
        near(
            r"retr(?:y|ies|ied)|reconnect|resend|re-?sent",
            r"storm|amplif|multipl|all at once|at once|simultaneous|synchron|same moment|backoff|jitter|immediately|flood|wave|overload|hammer",
        ),
        r"exponential backoff|without (?:any )?(?:backoff|jitter)|no (?:backoff|jitter)",
    ),
    "cascading-overload": (
        r"cascad|domino|death spiral|positive feedback|feedback loop",
        near(
            r"remaining|surviving|survivors|rest of the|other (?:hosts|nodes|servers|zones|instances)",
            r"overload|overwhelm|more (?:traffic|load)|fell over|failed in turn|in turn|saturat|absorb|extra (?:traffic|load)|crash",
        ),
        r"load shedding|shed load|shed traffic|admission control",
    ),
    "cold-cache": (
        r"cold cache|cache (?:was )?(?:flushed|cold|emptied|wiped|cleared)|cache stampede|dog-?pil",
        near(r"cache", r"miss(?:es)?|empty|restart|flush|warm|stampede", 4),
    ),
    "hot-spot": (
        r"hot (?:key|partition|shard|spot|row|tenant|item)s?|hotspot",
        near(r"single|one|same", r"shard|partition|node|key", 3)
        + r"(?=.{0,80}(?:all|every|concentrat|traffic|writes|load))",
        near(
            r"partition key|shard key|sharding|sharded",
            r"concentrat|single|skew|cardinality|one (?:tenant|customer|key)",
        ),
        r"celebrity|viral|popular (?:post|item|product)",
    ),
    "failover-fault": (
        near(
            r"fail(?:ed|s|ing)?[- ]?over|switch(?:ed)?[- ]?over|promot|standby|replica|secondary|flip",
            r"lag|behind|stale|lost writes|data loss|did not|never|failed|wrong|not (?:caught|in sync)|out of date|unsynced",
        ),
        r"replication lag|lagging (?:replica|standby|follower)",
    ),
    "split-brain": (
        r"split[- ]brain",
        near(
            r"two|both|second|multiple|each half|each side|each group|dual",
            r"primar|leader|master|writer|active|elect",
        ),
        near(r"fenc", r"old (?:primary|leader|master)|no fencing|without fencing|fencing token"),
    ),
    "quorum-loss": (
        near(
            r"quorum|majority|consensus",
            r"lost|loss|lose|no |without|below|could not|couldn'?t|not enough|too many",
        ),
        r"could not elect a leader|no leader|leaderless|leader election failed",
    ),
    "shallow-health-check": (
        near(
            r"health ?check|health endpoint|liveness|readiness|probe|heartbeat check",
            r"only|still (?:passed|answered|green|ok|healthy)|green|ok\b|said healthy|reported healthy|judged|shallow|did not (?:check|detect|test)|tcp|port",
        ),
        r"gr[ae]y failure|partial failure|zombie (?:host|node|process)",
    ),
    "process-pause": (
        r"stop[- ]the[- ]world|gc pause|garbage[- ]collection pause|long pauses?|stalled for|froze for|freez",
        near(
            r"pause|stall|froze|swap",
            r"heartbeat|lease|session|timeout|evict|declared dead|failure detector|leader",
        ),
        near(r"session|lease", r"expir|timed out|revok|lost", 3),
    ),
    "unguarded-rollout": (
        r"no (?:canary|staged|staging|phased|progressive|gradual)|without (?:a )?(?:canary|staged|staging|phased|progressive|gradual)|\bskipp\w* (?:the )?(?:canary|staged|staging)",
        near(
            r"every (?:host|server|node|region|pop|point of presence|sensor|agent|device|machine|data cent)|all (?:hosts|servers|nodes|regions|pops|sensors|agents|devices|machines|data cent)|whole fleet|entire fleet|globally|worldwide|everywhere|at once|simultaneous|within (?:seconds|minutes)",
            r"pushed|push|propagat|deliver|rolled|rollout|deployed|publish|reached|shipped|released|applied",
            4,
        ),
        r"canar(?:y|ies)|staged (?:rollout|deployment)|progressive(?:ly)? (?:rollout|delivery|propagat)|deployment rings?|in rings",
        r"blast radius",
    ),
    "version-skew": (
        r"mixed[- ]version|version skew|side by side|backwards?[- ]compat|forwards?[- ]compat|expand[- ]and[- ]contract",
        near(
            r"old (?:release|version|build|binar|code|node|server|client)|previous (?:release|version|build)|still (?:on|running) the",
            r"could not|failed|read|decode|understand|pars|new format|renamed|incompatib",
        ),
        r"rolling (?:upgrade|deploy|restart)",
    ),
    "blast-radius": (
        near(
            r"command|script|tool|playbook|runbook|operation|query|job",
            r"wrong (?:host|server|cluster|database|environment|region|account|target)|more than intended|larger set|much larger|too (?:many|broad|wide)|every|all (?:the )?(?:servers|hosts|sites|customers|tables|links|backbone)|instead of|unintended|unintentional|mistakenly|by mistake|accident",
            8,
        ),
        near(
            r"delet|destroy|dropp|drop\b|remov|wipe|truncat|terminat|purg",
            r"by mistake|mistaken|accident|unintended|unintentional|instead of",
        ),
        r"typo|fat[- ]finger|wrong (?:argument|input|ids?|parameter|flag)|input mistake|entered wrong|mistyped",
        r"no (?:minimum|safety|guard|confirmation|dry[- ]run)|fail(?:ed|s)? open|safeguard",
    ),
    "hidden-dependency": (
        r"circular dependenc|hidden dependenc|undeclared dependenc|implicit dependenc|unknown dependenc|dependency (?:map|graph) (?:was )?missing",
        near(
            r"depend|relied|rely|ran on|ran over|signed in through|authenticat\w* (?:through|via)|inside|same network|same (?:identity|auth)",
            r"same|itself|the outage|was down|failed|unreachable|broken|it was meant|rescue|recover",
            6,
        ),
        near(
            r"believ|thought|looked|judged|seemed|appeared",
            r"unused|not used|no (?:hits|traffic|callers)|safe to (?:remove|delete)",
            3,
        ),
        r"out[- ]of[- ]band",
        near(
            r"did not know|didn'?t know|unaware|undocumented|not documented|nobody knew|no one knew",
            r"depend|relied|rel(?:y|ies)\b",
        ),
    ),
    "data-corruption": (
        r"corrupt|bit[- ]?flip|flipped bit|silent data|checksum|integrity check|garbled|bogus|mangled",
        near(
            r"wrong|incorrect|bad|invalid",
            r"data|results?|values?|records|bytes|answers|signatures?",
            2,
        ),
    ),
    "dns-fault": (
        r"\bdns\b|dnssec|resolver|nameserver|name server|nxdomain|servfail|\bttl\b|cname|ds record|zone file|signed zone|rrsig|name lookups?|host lookups?|dns lookups?|name resolution|resolv\.conf|resolving (?:host ?names?|names|domains?)",
    ),
    "route-withdrawal": (
        near(
            r"routes?|prefix|prefixes|bgp|announce?ments?|advertis",
            r"withdr[ae]w|stopped (?:announc|advertis)|no longer (?:announc|advertis)|lost|blackhol|unreachable|disappear",
            5,
        ),
        r"blackhol",
    ),
    "route-leak": (
        r"route leak|leaked (?:\w+ )?routes|hijack|more[- ]specific|rpki|\broas?\b|prefix filter|without (?:prefix )?filtering",
        near(
            r"announc|advertis",
            r"did not own|not own|someone else|another (?:network|operator)|our (?:address|prefix)",
            6,
        ),
    ),
    "poison-input": (
        r"poison(?:ed)? (?:message|pill|record|event)|dead[- ]letter",
        near(
            r"malformed|invalid|unexpected|bad|corrupt|oversized|truncated",
            r"message|event|record|input|payload|request|file|line",
            3,
        ),
    ),
    "cpu-exhaustion": (
        r"catastrophic backtracking|backtrack|redos|pathological|exponential[- ]time",
        near(r"cpu|processor|cores?\b", r"100|pegged|saturat|spike|exhaust|maxed|spin|burn|pinned"),
        r"hot loop|infinite loop|busy loop|spin(?:ning)? loop",
    ),
    "single-point-of-failure": (
        r"single point of failure|\bspof\b|no (?:fallback|redundan|secondary|second|alternative|backup) (?:provider|vendor|path|route|region|supplier|acquirer)|only (?:one|a single) (?:provider|vendor|region|supplier|acquirer|path)",
        near(r"sole|single|only|one", r"provider|vendor|supplier|acquirer|region|dependency", 2),
    ),
    "backlog-overflow": (
        near(
            r"backlog|lag\b|lagged|queued|unprocessed|unread|waiting (?:messages|jobs|events)",
            r"retention|aged out|expired|max(?:imum)? age|lifetime|deleted before|dropped|discard",
        ),
        near(
            r"retention|message (?:lifetime|age)|max(?:imum)? age|ttl",
            r"messages|events|jobs|records|log|queue|topic",
        ),
    ),
    "lock-contention": (
        r"deadlock|lock contention|lock timeout|exclusive lock|table lock|row lock|lock queue|lock wait|metadata lock|\bmdl\b",
        near(
            r"alter table|ddl|schema change|migration|index (?:build|creation)|create index|vacuum full",
            r"lock|block|queued|froze|waited|stall",
            8,
        ),
        near(r"lock", r"held|waiting|queued|blocked|contention"),
    ),
    "invalid-config": (
        near(
            r"config|configuration|setting|flag|yaml|json|template|rendered|file",
            r"empty|blank|missing value|truncated|invalid|malformed|parse|typo|null|defaulted|fell back to default|default(?:s)? (?:to|of)",
            5,
        ),
        r"no (?:schema|validation) (?:check|of)|validated? (?:config|configuration)",
    ),
    "silent-failure": (
        near(
            r"backup|snapshot|dump|replication|monitor|alert|job|cron",
            r"silently|unnoticed|not noticed|never noticed|nobody noticed|no one noticed|had been failing|for months|for weeks|went unnoticed|without (?:an )?alert|never alerted|not alerted",
            6,
        ),
        r"restore (?:test|drill)s?|test(?:ed)? (?:the )?restores?",
    ),
    "cache-contamination": (
        near(
            r"cache|cached|caching|cdn|proxy",
            r"private|personal|personali[sz]ed|authenticated|other (?:users|people|customers|accounts)|wrong (?:users|clients|customers)|another user|cache-control|leak",
        ),
        r"cache poison",
    ),
    "schedule-overrun": (
        near(
            r"job|backup|batch|run\b|cron|task|aggregation",
            r"overlap|overran|overrun|longer than (?:its|the|a) (?:interval|window|day|schedule)|outgrew|into (?:the )?(?:morning )?peak|ran into|window|concurrent runs|still (?:going|running)",
            6,
        ),
    ),
}


_GROUP = "(?:"
WHOLE = "="
"""Marks a clue that must be a whole word rather than a word's beginning."""
QUOTED_REST = 40
"""Most characters of the rest of a word a phrasing stopped inside of that are quoted (a word
is seldom longer; a longer run of word characters, such as a line of prose without spaces,
would otherwise be read to its end after every phrase inside it: quadratic time)."""
_WORD_REST = re.compile(rf"\w{{0,{QUOTED_REST}}}")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")
"""Where a sentence ends: a stop or colon before a space (not the dot in x.509), or a line end."""
_BOUNDARY = re.compile(r"[.!?;:\n](?:(?<=\n)\s*|\s+)")
"""Where a sentence ends, and the spaces up to the next: a line end, or a stop or colon followed
by a space (the same words per sentence as ``_SENTENCE_END``, found faster)."""
_WORD = re.compile(f"{WORD}+")
"""The word a clue in a phrasing begins with."""
CHUNK = 1 << 20
"""Characters analysed at once: bounds the memory of the word arrays."""


def _nesting(pattern: str) -> Iterator[tuple[int, str, int]]:
    """Each character of a regex not escaped by a backslash: its position, itself, and the
    depth of brackets after it (``(`` and ``[`` open one, ``)`` and ``]`` close one)."""
    depth, escaped = 0, False
    for position, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            depth += (char in "([") - (char in ")]")
            yield position, char, depth


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regex."""
    bars = [position for position, char, depth in _nesting(pattern) if char == "|" and not depth]
    starts, ends = [0, *(bar + 1 for bar in bars)], [*bars, len(pattern)]
    return [pattern[start:end] for start, end in zip(starts, ends, strict=True)]


def _group_end(pattern: str) -> int:
    """The index just after the group that opens ``pattern``."""
    ends = (
        position + 1 for position, char, depth in _nesting(pattern) if char in ")]" and not depth
    )
    return next(ends, len(pattern))


Clue = tuple[str, frozenset[str] | None]
"""A word beginning (``WHOLE``-marked for a whole word), and the beginnings one of which the
next word must have (None: any next word)."""
_OPTIONAL = re.compile(r"(?:[?*]|\{0?,\d*\})\??")
"""A quantifier that lets what it follows be left out (``?``, ``*``, ``{0,n}``), lazy or not."""
_ENDING = re.compile(rf"\(\?:(?:{WORD}|\|)+\)\??")
"""A group of word endings (``leak(?:ed|ing|s)?``): a clue word may end with one."""
_PLAIN_ALTERNATION = re.compile(rf"{WORD}+(?:\|{WORD}+)*")
"""An alternation of plain words."""
_SEPARATOR = re.compile(r"(?: |\[- \]|\[ -\])(?![?*{+])")
"""A separator every match has between two literal words (a space or hyphen)."""


def _clues(alternation: str) -> frozenset[Clue] | None:
    """The clues one of which a sentence must contain for ``alternation`` to match, or None
    when some alternative starts with no fixed word beginning."""
    clues: set[Clue] = set()
    for alternative in _alternatives(alternation):
        bare = alternative.removeprefix("\\b")
        if bare.startswith(_GROUP):
            end = _group_end(bare)
            inside = bare[len(_GROUP) : end - 1]
            inner = _clues(inside)
            if inner is None:
                return None
            # "(?:disk|volume) (?:usage|...)": each word needs what follows the group next.
            follow = _next_word(bare, end) if _PLAIN_ALTERNATION.fullmatch(inside) else None
            clues |= {(first, follow) for first, _ in inner}
            if optional := _OPTIONAL.match(bare, end):  # left out, what follows begins it
                rest = _clues(bare[optional.end() :])
                if rest is None:
                    return None
                clues |= {(first, None) for first, _ in rest}
            continue
        word = _WORD.match(bare)
        if word is None:
            return None
        literal = word.group()
        following = bare[word.end() : word.end() + 1]
        if following in ("?", "*", "{"):
            literal = literal[:-1]  # a quantifier makes the last character optional
            follow = None
        elif following not in "([\\" and bare[word.end() + 1 : word.end() + 2] in ("?", "*", "{"):
            follow = None  # an optional character next ("time ?zone"): the word may go on
        else:
            if following and following not in "([\\" and not following.isalnum():
                literal = WHOLE + literal  # a whole word: "no space" is not met by "node"
            ending = _ENDING.match(bare, word.end())
            follow = _next_word(bare, ending.end() if ending else word.end())
        if len(literal.removeprefix(WHOLE)) < 2:
            return None
        clues.add((literal, follow))
    return frozenset(clues)


def _next_word(pattern: str, position: int) -> frozenset[str] | None:
    """The beginnings one of which the next word must have when ``pattern`` goes on at
    ``position`` with a separator, else None (any next word)."""
    separator = _SEPARATOR.match(pattern, position)
    then = _clues(pattern[separator.end() :]) if separator else None
    return frozenset(first for first, _ in then) if then else None


@dataclass(frozen=True)
class _Phrasing:
    mode: str
    pattern: re.Pattern[str]
    sides: int
    """How many clue sets must all be met before the pattern is tried."""
    ordered: bool
    """Whether the first side must come first (``then``) rather than either (``near``)."""


def _lexicon() -> tuple[list[_Phrasing], dict[str, list[int]], dict[str, list[int]], int]:
    """Every phrasing compiled; for each word beginning, the codes of the clues it starts
    (``(2 * phrasing + side) * follows + follow``: ``follow`` is 0 for any next word, else the
    number of the set of beginnings one of which the next word must have); for each beginning,
    the numbers of the sets it is in; and ``follows``, one more than the number of sets."""
    phrasings: list[_Phrasing] = []
    by_first: dict[str, set[tuple[int, frozenset[str] | None]]] = {}
    for mode, patterns in PHRASINGS.items():
        for pattern in patterns:
            sides = [_clues(side) for side in _SIDES.get(pattern, (pattern,))]
            if None in sides:
                raise ValueError(f"{mode}: every alternative must start with a word: {pattern}")
            for side, clue_set in enumerate(sides):
                for first, follow in clue_set or ():
                    by_first.setdefault(first, set()).add((2 * len(phrasings) + side, follow))
            ordered = pattern in _ORDERED
            phrasings.append(_Phrasing(mode, re.compile(pattern), len(sides), ordered))
    sets = sorted(
        {follow for entries in by_first.values() for _, follow in entries if follow}, key=sorted
    )
    number = {follow: index + 1 for index, follow in enumerate(sets)}
    follows = len(sets) + 1
    by_clue = {
        first: sorted(
            clue * follows + (number[follow] if follow else 0) for clue, follow in entries
        )
        for first, entries in by_first.items()
    }
    by_follow: dict[str, list[int]] = {}
    for follow, index in number.items():
        for beginning in follow:
            by_follow.setdefault(beginning, []).append(index)
    return phrasings, by_clue, by_follow, follows


_PHRASINGS, _BY_CLUE, _BY_FOLLOW, _FOLLOWS = _lexicon()
_LONGEST_CLUE = max(len(clue) for clue in itertools.chain(_BY_CLUE, _BY_FOLLOW))
_NEEDED = np.asarray([(1 << phrasing.sides) - 1 for phrasing in _PHRASINGS], dtype=np.int64)
"""For each phrasing, the bit mask of the sides a sentence must meet."""
_SIDES_OF = np.asarray([phrasing.sides for phrasing in _PHRASINGS], dtype=np.int64)
_ORDERED_OF = np.asarray([phrasing.ordered for phrasing in _PHRASINGS])
_MET: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {}
"""Every word seen so far, the codes of the clues it starts and the numbers of the next-word
sets it is in: words repeat, so each word's prefixes are looked up once."""


def _beginnings(word: str) -> Iterator[str]:
    """The keys a word is looked up by: itself as a whole word, and its prefixes no longer
    than the longest clue (so a word of a million letters costs no more than a short one)."""
    if len(word) < _LONGEST_CLUE:
        yield WHOLE + word
    for length in range(2, 1 + min(len(word), _LONGEST_CLUE)):
        yield word[:length]


def _met(word: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The codes of the clues ``word`` starts and the next-word sets it is in, each sorted."""
    found = _MET.get(word)
    if found is None:
        keys = list(_beginnings(word))
        found = (
            tuple(sorted(set(itertools.chain(*(_BY_CLUE.get(key, ()) for key in keys))))),
            tuple(sorted(set(itertools.chain(*(_BY_FOLLOW.get(key, ()) for key in keys))))),
        )
        if len(word) < _LONGEST_CLUE:
            _MET[word] = found
    return found


def analyse(text: str) -> dict[str, list[str]]:
    """The failure modes a text describes, each with the phrases telling it, as written, in
    reading order (see ``analyse_all``)."""
    return analyse_all([text])[0]


def analyse_all(texts: Sequence[str]) -> list[dict[str, list[str]]]:
    """For each text, the failure modes it describes, each with the phrases telling it, as
    written, in reading order. A phrasing never spans two sentences, and is only tried in a
    sentence holding a clue for each of its sides, where such a clue starts, and (with two
    sides) when a clue of the other side follows; a clue is a word beginning, or two literal
    words in a row. The words of all texts are looked up at once with arrays (linear time),
    and only those starts are tried with a regex (the same phrases as trying every start)."""
    told: list[dict[str, list[str]]] = [{} for _ in texts]
    chunk: list[tuple[int, str, str]] = []
    size = 0
    for number, text in enumerate(texts):
        for unit in _units(number, text):
            chunk.append(unit)
            size += len(unit[2]) + 1
            if size >= CHUNK:
                _analyse_chunk(chunk, told)
                chunk, size = [], 0
    if chunk:
        _analyse_chunk(chunk, told)
    return told


def _units(number: int, text: str) -> list[tuple[int, str, str]]:
    """(text number, as written, lower-cased) pieces of a text that lower-case to the same
    length, so that a position in one is a position in the other: the whole text, or when
    lower-casing changes a length (a few characters do), each sentence (quoted lower-cased
    if lower-casing changes its length)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return [(number, text, lowered)]
    units = []
    for sentence in _SENTENCE_END.split(text):
        low = sentence.lower()
        units.append((number, sentence if len(low) == len(sentence) else low, low))
    return units


def _analyse_chunk(units: Sequence[tuple[int, str, str]], told: list[dict[str, list[str]]]) -> None:
    """Add the phrases found in ``units`` to ``told`` (indexed by text number)."""
    big = "\n".join(lowered for _, _, lowered in units)
    codes, word_ids, names = split_words(big)
    sentence_starts, sentence_ends = _sentences(big, codes)
    word_starts, _ = word_bounds(codes)
    clue, occurrence = _clue_rows(word_ids, names)
    group, phrasing, start = _tries(clue, occurrence, word_starts, sentence_starts)
    found = _phrases(big, group, phrasing, start, sentence_ends)
    _tell(units, found, told)


def _sentences(big: str, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each sentence starts and ends: ``[starts[k], ends[k])``; a stop ending one stays
    in it."""
    bounds = np.asarray(
        [match.span() for match in _BOUNDARY.finditer(big)], dtype=np.int64
    ).reshape(-1, 2)
    starts = np.concatenate([[0], bounds[:, 1]])
    ends = np.concatenate([bounds[:, 0] + (codes[bounds[:, 0]] != ord("\n")), [len(big)]])
    return starts, ends


def _clue_rows(ids: np.ndarray, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """One row per (word occurrence, clue it starts) whose next word begins as the clue needs:
    the clue's code and the occurrence's index (``ids``: each occurrence's number in
    ``names``, the distinct words)."""
    met = [_met(word) for word in names]
    counts = np.fromiter(map(len, (clues for clues, _ in met)), dtype=np.int64, count=len(met))
    flat = np.fromiter(
        itertools.chain.from_iterable(clues for clues, _ in met),
        dtype=np.int64,
        count=int(counts.sum()),
    )
    # The next-word sets each word is in, as sorted (word, set) codes.
    sizes = np.fromiter(map(len, (sets for _, sets in met)), dtype=np.int64, count=len(met))
    in_sets = np.sort(
        np.repeat(np.arange(len(met)), sizes) * _FOLLOWS
        + np.fromiter(
            itertools.chain.from_iterable(sets for _, sets in met),
            dtype=np.int64,
            count=int(sizes.sum()),
        )
    )
    per_word = counts[ids]
    within = np.arange(per_word.sum()) - np.repeat(np.cumsum(per_word) - per_word, per_word)
    code = flat[np.repeat((np.cumsum(counts) - counts)[ids], per_word) + within]
    occurrence = np.repeat(np.arange(len(ids)), per_word)
    follow = code % _FOLLOWS
    next_word = np.append(ids, -1)[occurrence + 1] * _FOLLOWS + follow
    found_at = np.minimum(np.searchsorted(in_sets, next_word), max(0, len(in_sets) - 1))
    kept = (follow == 0) | ((in_sets[found_at] == next_word) if len(in_sets) else False)
    return code[kept] // _FOLLOWS, occurrence[kept]


def _tries(
    clue: np.ndarray, occurrence: np.ndarray, word_starts: np.ndarray, sentence_starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where to try a phrasing: (sentence group, phrasing, start) rows, by phrasing, then
    sentence, then start; only in a sentence meeting each side of the phrasing, and (with two
    sides) where a clue of the other side follows."""
    # By phrasing, then where the word starts (a stable sort of small integers is a radix sort).
    rows = len(clue)
    order = np.argsort((clue >> 1).astype(np.int16), kind="stable")
    clue = clue[order]
    start = word_starts[occurrence[order]]
    sentence = np.searchsorted(sentence_starts, word_starts, "right")[occurrence[order]]
    phrasing, side = clue >> 1, clue & 1
    # Groups of rows of one phrasing in one sentence: which sides they meet, and where each
    # side's last clue word starts.
    group = phrasing * len(sentence_starts) + sentence
    firsts = np.flatnonzero(np.diff(group, prepend=-1))
    group_of = np.cumsum(np.diff(group, prepend=-1) != 0) - 1
    met_sides = np.bitwise_or.reduceat(1 << side, firsts)[group_of] if rows else side
    last = [
        np.maximum.reduceat(np.where(side == one, start, -1), firsts)[group_of] if rows else start
        for one in (0, 1)
    ]
    other_follows = np.where(side == 0, last[1], last[0]) > start
    complete = met_sides == _NEEDED[phrasing]
    one_sided = _SIDES_OF[phrasing] == 1
    viable = complete & (one_sided | (other_follows & ~(_ORDERED_OF[phrasing] & (side == 1))))
    group, phrasing, start = group[viable], phrasing[viable], start[viable]
    once = np.diff(group, prepend=-1) != 0
    once[1:] |= start[1:] != start[:-1]  # a word meeting both sides is tried once
    return group[once], phrasing[once], start[once]


def _phrases(
    big: str,
    group: np.ndarray,
    phrasing: np.ndarray,
    start: np.ndarray,
    sentence_ends: np.ndarray,
) -> list[tuple[int, int, str, int]]:
    """The phrasings that match where they are tried, in reading order (by start, end, then
    mode): (start, end, mode, end of the word the match ends in)."""
    found: list[tuple[int, int, str, int]] = []
    current, end, stop = -1, -1, 0
    lexicon = _PHRASINGS
    sentences = len(sentence_ends)
    for group_now, number, position in zip(
        group.tolist(), phrasing.tolist(), start.tolist(), strict=True
    ):
        if group_now != current:
            current, end = group_now, -1
            stop = int(sentence_ends[group_now % sentences - 1])
        if position >= end and (match := lexicon[number].pattern.match(big, position, stop)):
            end = match.end()
            rest = _WORD_REST.match(big, end, stop).end()  # type: ignore[union-attr]
            found.append((position, end, lexicon[number].mode, rest))
    found.sort()
    return found


def _tell(
    units: Sequence[tuple[int, str, str]],
    found: Sequence[tuple[int, int, str, int]],
    told: list[dict[str, list[str]]],
) -> None:
    """Add each phrase ``found`` in the joined units to ``told``, as written in its text."""
    unit_starts = np.cumsum([0] + [len(lowered) + 1 for _, _, lowered in units[:-1]])
    unit_of = np.searchsorted(unit_starts, [item[0] for item in found], side="right") - 1
    for (position, _, mode, rest), unit in zip(found, unit_of.tolist(), strict=True):
        number, written, _ = units[unit]
        offset = int(unit_starts[unit])
        quoted = " ".join(written[position - offset : rest - offset].split())
        told[number].setdefault(mode, []).append(quoted)


SUGGESTED = 3
"""Most failure modes suggested for a new or imported incident."""


def suggest(text: str, allowed: Sequence[str] | None = None) -> list[str]:
    """The failure modes a text tells most, most told first (ties: first told first), at most
    ``SUGGESTED``, among ``allowed`` (default: every mode of the lexicon)."""
    told = analyse(text)
    ranked = sorted(
        (mode for mode in told if allowed is None or mode in allowed),
        key=lambda mode: -len(told[mode]),
    )
    return ranked[:SUGGESTED]
