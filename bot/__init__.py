"""Retrieval, answering and citations over interview transcripts."""
