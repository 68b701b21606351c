"""Plain text (.txt): decoded as before (ingest.loader.decode_bytes), front matter read if present."""

from __future__ import annotations

from ingest.formats.base import Extracted


class TextReader:
    suffixes = (".txt",)

    def read(self, data: bytes) -> Extracted | str:
        from ingest.formats.markdown import split_front_matter
        from ingest.loader import decode_bytes

        decoded = decode_bytes(data)
        if isinstance(decoded, str):
            return decoded
        text, encoding = decoded
        facts, body = split_front_matter(text)
        return Extracted(text=body, encoding=encoding, format="text", facts=facts)
