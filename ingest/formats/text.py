"""Plain text (.txt): decoded by ingest.formats.decode, front matter read if present."""

from __future__ import annotations

from ingest.formats.base import Extracted, Unreadable


class TextReader:
    suffixes = (".txt",)

    def read(self, data: bytes) -> Extracted | Unreadable:
        from ingest.formats.decode import decode_bytes
        from ingest.formats.markdown import split_front_matter

        decoded = decode_bytes(data)
        if isinstance(decoded, Unreadable):
            return decoded
        text, encoding = decoded
        facts, body = split_front_matter(text)
        return Extracted(text=body, encoding=encoding, format="text", facts=facts)
