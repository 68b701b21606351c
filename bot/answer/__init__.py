"""From passages to a cited answer: the chat engine (orchestration only), follow-up rewriting, the
extractive (offline) answer, the LLM client and prompts, citations and quote checks, the guard."""
