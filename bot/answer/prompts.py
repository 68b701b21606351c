"""Prompt files: load by name from the prompts dir, check their slots, fill them safely; and the
passages block that goes into the answer prompt, cut to the LLM's token budget.

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

from bot.schema import Passage
from bot.settings import PROJECT_ROOT
from bot.text.lang import Lang
from bot.text.timecode import clock

log = logging.getLogger(__name__)

PROMPTS_DIR = PROJECT_ROOT / "prompts"

# The slots each known prompt must have: exactly these, no more, no fewer.
EXPECTED_SLOTS: dict[str, frozenset[str]] = {
    "answer_zh": frozenset({"passages", "question"}),
    "answer_en": frozenset({"passages", "question"}),
    "condense": frozenset({"history", "question"}),
    "kind": frozenset({"library", "question"}),
    "summary_zh": frozenset({"passages", "question"}),
    "summary_en": frozenset({"passages", "question"}),
    "compare_zh": frozenset({"passages", "question"}),
    "compare_en": frozenset({"passages", "question"}),
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


_ROLES_ZH = {"host": "主持人", "guest": "嘉宾", "speaker": "演讲者", "editor": "编者", "unknown": "未知",
             "unmarked": "未标明"}
_DATA_TAGS = re.compile(r"<(/?)(passage|question|history|library)", re.I)


def data_text(text: str) -> str:
    """Defuse our own delimiter tags inside data, so a passage cannot close its <passage> early."""
    return _DATA_TAGS.sub(lambda m: f"‹{m.group(1)}{m.group(2)}", text)


def format_passage(n: int, p: Passage, lang: Lang) -> str:
    role = _ROLES_ZH.get(p.role, p.role) if lang == "zh" else p.role
    if p.speaker is None and p.kind != "speech":
        who = "编者(摘要或旁白,不是任何人的发言)" if lang == "zh" else "editor (summary or narration, nobody's speech)"
    elif p.unmarked:
        who = ("未标明(这份转录没有标出说话人,不能算作任何具名者的话)" if lang == "zh"
               else "not marked (this transcript does not mark speakers; not attributable to anyone named)")
    else:
        who = p.speaker or ("未署名的演讲者" if lang == "zh" else "unnamed speaker")
    values = {"n": str(n), "speaker": who, "role": role, "title": p.title}
    if p.time is not None:
        values["time"] = clock(p.time)
    if p.unmarked and p.people:   # who is in the recording, not who says these words
        values["in_recording"] = p.people
    if p.question:   # context for the LLM; rule 5 of the prompt keeps it from being quoted as the answer
        values["in_reply_to"] = p.question[:150]
    attrs = " ".join(f'{k}="{data_text(" ".join(v.split())).replace(chr(34), chr(39))}"' for k, v in values.items())
    return f"<passage {attrs}>\n{data_text(p.text)}\n</passage>"


def count_tokens(text: str) -> int:
    """cl100k_base token counts through LlamaIndex's tokenizer helper (its encoding file ships
    inside llama-index-core, so this works offline)."""
    from llama_index.core.utils import get_tokenizer

    return len(get_tokenizer()(text))


def fit_passages(passages: list[Passage], budget: int, lang: Lang) -> list[Passage]:
    """The best-ranked passages whose formatted text fits `budget` tokens (at least one)."""
    kept, used = [], 0
    for n, p in enumerate(passages, 1):
        cost = count_tokens(format_passage(n, p, lang)) + 2
        if kept and used + cost > budget:
            break
        kept.append(p)
        used += cost
    if len(kept) < len(passages):
        log.info("passages cut to %d of %d to fit %d tokens", len(kept), len(passages), budget)
    return kept


def prompt_exists(name: str, prompts_dir: Path | None = None) -> bool:
    directory = Path(prompts_dir) if prompts_dir is not None else PROMPTS_DIR
    return (directory / f"{name}.md").is_file()
