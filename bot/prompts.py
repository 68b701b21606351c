"""Prompt files: load by name from the prompts dir, check their slots, fill them safely.

A prompt file is Markdown with an optional leading HTML comment (notes for whoever edits it,
never sent), then a `## system` part and a `## user` part. Without those headings the whole
file is one user message. Slots are `{name}` with a lower-case identifier; any other brace is
literal text, so a prompt may show JSON or `{}` without escaping.

Filling is a single regex pass, so user text that contains `{question}` or stray braces is
inserted verbatim and never re-interpreted (str.format would raise or, worse, substitute).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from bot.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

PROMPTS_DIR = PROJECT_ROOT / "prompts"

# The slots each known prompt must have: exactly these, no more, no fewer.
EXPECTED_SLOTS: dict[str, frozenset[str]] = {
    "answer_zh": frozenset({"passages", "question"}),
    "answer_en": frozenset({"passages", "question"}),
    "condense": frozenset({"history", "question"}),
}

_SLOT = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_COMMENT = re.compile(r"\A\s*<!--.*?-->\s*", re.S)
_HEADING = re.compile(r"^##\s+(system|user)\s*$", re.M | re.I)


class PromptError(ValueError):
    """A prompt file is missing, malformed, or has the wrong slots."""


@dataclass(frozen=True)
class Prompt:
    name: str
    path: Path
    system: str   # may be "" (then no system message is sent)
    user: str
    slots: frozenset[str]

    def fill(self, **values: str) -> tuple[str, str]:
        """Return (system, user) with every slot replaced. Values are inserted literally."""
        given = set(values)
        if given != set(self.slots):
            missing = sorted(self.slots - given)
            extra = sorted(given - self.slots)
            raise PromptError(f"{self.path}: fill() got wrong values (missing {missing}, unexpected {extra})")

        def sub(text: str) -> str:
            return _SLOT.sub(lambda m: str(values[m.group(1)]), text)

        return sub(self.system), sub(self.user)

    def messages(self, **values: str) -> list[dict[str, str]]:
        """The filled prompt as chat messages (OpenAI format)."""
        system, user = self.fill(**values)
        out: list[dict[str, str]] = []
        if system:
            out.append({"role": "system", "content": system})
        out.append({"role": "user", "content": user})
        return out


def parse_prompt(name: str, text: str, path: Path, expected: frozenset[str] | None = None) -> Prompt:
    """Split a prompt file's text into parts and check its slots against `expected`."""
    body = _COMMENT.sub("", text, count=1)
    parts = {"system": "", "user": ""}
    headings = list(_HEADING.finditer(body))
    if not headings:
        parts["user"] = body.strip()
    else:
        if body[: headings[0].start()].strip():
            raise PromptError(f"{path}: text before the first '## system' / '## user' heading")
        for i, h in enumerate(headings):
            which = h.group(1).lower()
            end = headings[i + 1].start() if i + 1 < len(headings) else len(body)
            if parts[which]:
                raise PromptError(f"{path}: more than one '## {which}' part")
            parts[which] = body[h.end() : end].strip()
    if not parts["user"]:
        raise PromptError(f"{path}: the user part is empty")
    in_system = _SLOT.search(parts["system"])
    if in_system:
        # Slots hold data (passages, questions); keeping them out of the system message keeps
        # the instruction channel free of anything a user or a transcript can write.
        raise PromptError(f"{path}: slot {{{in_system.group(1)}}} is in the system part; "
                          "slots belong in the user part")
    slots = frozenset(_SLOT.findall(parts["user"]))
    if expected is not None:
        missing = sorted(expected - slots)
        extra = sorted(slots - expected)
        if missing:
            raise PromptError(f"{path}: missing slot {{{missing[0]}}} (expected exactly {sorted(expected)})")
        if extra:
            raise PromptError(f"{path}: unknown slot {{{extra[0]}}} (expected exactly {sorted(expected)})")
    return Prompt(name=name, path=path, system=parts["system"], user=parts["user"], slots=slots)


def load_prompt(name: str, prompts_dir: Path | None = None, expected: frozenset[str] | set[str] | None = None) -> Prompt:
    """Load `<prompts_dir>/<name>.md`; check its slots (default: EXPECTED_SLOTS[name] if known)."""
    directory = Path(prompts_dir) if prompts_dir is not None else PROMPTS_DIR
    path = directory / f"{name}.md"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"{path}: prompt file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PromptError(f"{path}: cannot read prompt file ({exc})") from None
    want = frozenset(expected) if expected is not None else EXPECTED_SLOTS.get(name)
    return parse_prompt(name, text, path, want)


def prompt_exists(name: str, prompts_dir: Path | None = None) -> bool:
    directory = Path(prompts_dir) if prompts_dir is not None else PROMPTS_DIR
    return (directory / f"{name}.md").is_file()
