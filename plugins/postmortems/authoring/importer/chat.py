"""Incident-channel logs (Slack or Teams exports: a ``Name  9:41 AM`` line, then the message)
rewritten as the document they stand for: a title, one timeline entry per message, lessons."""

from __future__ import annotations

import re

_SPEAKER = re.compile(
    r"[^\W\d_][\w.'’-]*(?: [^\W\d_][\w.'’-]*){0,3}[ \t]+"
    r"(?P<time>\d{1,2}:\d{2}(?: ?[AaPp]\.?[Mm]\.?)?)"
)
_CHANNEL = re.compile(r"#(?P<name>[a-z0-9][\w-]*)[ \t]*(?P<rest>.*)")
_LESSON = re.compile(r"\b(?:lessons?|learnings?|takeaways?)(?: learn[et]d?)?[ \t]*:[ \t]*", re.I)
_MIN_MESSAGES = 3
"""Fewer messages than this is no chat log: a line such as ``Ravi Shah 9:41`` may be prose."""


def from_chat(text: str) -> str:
    """``text`` unchanged, or for a chat log the same content as a titled timeline document."""
    lines = text.split("\n")
    starts = [index for index, line in enumerate(lines) if _SPEAKER.fullmatch(line.strip())]
    if len(starts) < _MIN_MESSAGES:
        return text
    head, timeline, lessons = _head(lines[: starts[0]]), [], []
    ends = [*starts[1:], len(lines)]
    tail: list[str] = []
    for start, end in zip(starts, ends, strict=True):
        speaker = _SPEAKER.fullmatch(lines[start].strip())
        assert speaker is not None
        body = lines[start + 1 : end]
        if end == len(lines):  # the last message ends at its first blank line
            blank = next((i for i, line in enumerate(body) if not line.strip()), len(body))
            body, tail = body[:blank], body[blank:]
        message = " ".join(line.strip() for line in body if line.strip())
        said, *learned = _LESSON.split(message, maxsplit=1)
        lessons += [part.strip() for part in learned if part.strip()]
        name = lines[start].strip()[: speaker.start("time")].strip()
        if said.strip():
            timeline.append(f"- {speaker.group('time')} {said.strip()} ({name})")
    out = [*head, "", "## Timeline", "", *timeline]
    if lessons:
        out += ["", "## Lessons learned", "", *(f"- {lesson}" for lesson in lessons)]
    return "\n".join([*out, *tail])


def _head(lines: list[str]) -> list[str]:
    """The lines before the first message; a ``#channel-name`` line becomes the title."""
    out: list[str] = []
    for line in lines:
        channel = _CHANNEL.fullmatch(line.strip())
        if channel and not out:
            out += [f"# {_channel_title(channel.group('name'))}", ""]
            rest = channel.group("rest").strip().strip("()")
            out += [rest] if rest else []
        else:
            out.append(line)
    return out


def _channel_title(name: str) -> str:
    """``inc-2026-09-14-payments-timeouts`` → ``Payments timeouts``."""
    words = re.sub(r"^(?:inc|incident|sev\d?)[-_]|\d{4}[-_]\d{2}[-_]\d{2}[-_]?", "", name)
    words = re.sub(r"[-_]+", " ", words).strip()
    return (words[:1].upper() + words[1:]) or name
