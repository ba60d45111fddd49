"""Naming patterns of generated campaigns, ad sets and ads: `{campaign} - {audience} -
{creative}` style tokens, checked before anything is generated."""

from __future__ import annotations

import re

from django.utils import timezone

TOKENS = ("campaign", "audience", "placement", "creative", "n", "date")
# What is known at each level (the axis that splits campaigns is known from the campaign down).
LEVEL_TOKENS = {
    "campaign": {"campaign", "n", "date"},
    "adset": {"campaign", "audience", "placement", "n", "date"},
    "ad": {"campaign", "audience", "placement", "creative", "n", "date"},
}
PATTERN_MAX = 300
_TOKEN_RE = re.compile(r"\{([^{}]*)\}")

DEFAULT_PATTERNS = {
    "campaign": "{campaign}",
    "adset": "{campaign} - {audience} - {placement}",
    "ad": "{campaign} - {audience} - {creative}",
}


def pattern_errors(pattern: str, *, level: str, split_by: str = "", siblings_differ_by=(),
                   siblings: int = 1) -> str | None:
    """The one message for a pattern, or None. `siblings_differ_by` are the tokens that tell
    objects of the same parent apart; with several siblings the pattern needs one of them or
    `{n}`, else they would share a name."""
    if not isinstance(pattern, str) or not pattern.strip():
        return "Enter a naming pattern."
    if len(pattern) > PATTERN_MAX:
        return f"At most {PATTERN_MAX} characters."
    stray = _TOKEN_RE.sub("", pattern)
    if "{" in stray or "}" in stray:
        return "A brace is not closed: write tokens like {campaign}."
    allowed = LEVEL_TOKENS[level] | ({split_by} if split_by else set())
    used = _TOKEN_RE.findall(pattern)
    for token in used:
        if token not in TOKENS:
            return f"Unknown token {{{token}}}: use " + ", ".join(f"{{{t}}}" for t in TOKENS) + "."
        if token not in allowed:
            return f"{{{token}}} is not known for a{'n' if level[0] in 'a' else ''} {level} name."
    if siblings > 1 and not ({"n", *siblings_differ_by} & set(used)):
        tokens = " or ".join(f"{{{t}}}" for t in (*siblings_differ_by, "n"))
        return f"Several {level}s would share a name: add {tokens}."
    return None


def render(pattern: str, values: dict[str, str]) -> str:
    today = timezone.localdate().isoformat()
    name = _TOKEN_RE.sub(lambda m: str(values.get(m.group(1), today if m.group(1) == "date"
                                                  else "")), pattern)
    return " ".join(name.split())
