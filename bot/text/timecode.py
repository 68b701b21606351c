"""Times of timed transcripts as people read them, and links to that moment of the recording.

    clock(2268.4)                                   -> "00:37:48"
    media_link("https://youtu.be/abc", 2268.4)      -> "https://youtu.be/abc?t=2268"
    media_link("https://x.org/ep.mp3", 2268.4)      -> "https://x.org/ep.mp3#t=2268"
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_YOUTUBE = ("youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com", "youtube-nocookie.com",
            "www.youtube-nocookie.com")


def clock(seconds: float | None) -> str:
    """"HH:MM:SS" ("" for no time)."""
    if seconds is None or seconds < 0:
        return ""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def media_link(url: str | None, seconds: float | None) -> str | None:
    """`url` opened at `seconds`: YouTube by its `t` query parameter (`&t=` on watch links,
    `?t=` on youtu.be links), anything else (audio, video files) by a media fragment `#t=`.
    None without a URL or a time; only http(s) URLs are linked."""
    if not url or seconds is None or seconds < 0:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return None
    t = str(int(seconds))
    host = parts.netloc.lower().split("@")[-1].split(":")[0]
    if host in _YOUTUBE or host == "youtu.be":
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("t", "start")]
        query.append(("t", t))
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, f"t={t}"))
