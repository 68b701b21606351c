"""The chatbot: text handling, the index ingest writes, retrieval, answering, the web UI, eval.

Imports run one way (checked by `lint-imports`, contract in pyproject.toml):
settings/schema <- text <- index <- ingest | retrieval <- answer <- ui | eval.
"""
