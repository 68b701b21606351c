"""Loading, cleaning, speaker parsing, chunking and indexing of transcripts."""
