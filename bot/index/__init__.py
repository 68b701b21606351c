"""What ingest writes and the bot reads: embedders, the Chroma store, the keyword index, sentence
vectors, the cleaned documents and the library of interviews and speakers built from them."""
