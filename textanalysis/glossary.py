"""The bilingual green-technology glossary (glossary.tsv): concepts and their surface forms.

Every surface form of a concept, in either language, analyses to one shared concept token
(``zc<concept>``), so 渗滤液 and "leachate" meet; broader concepts are added too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from textanalysis.normalize import CJK_RUN, normalize_text
from textanalysis.stemming import english_words

CONCEPT_PREFIX = "zc"
DEFAULT_GLOSSARY_PATH = Path(__file__).with_name("glossary.tsv")

_CONCEPT_SLUG = re.compile(r"[^a-z0-9]+")


def concept_token(concept: str) -> str:
    return CONCEPT_PREFIX + _CONCEPT_SLUG.sub("", concept.lower())


@dataclass
class Glossary:
    """Concepts with Chinese and English surface forms; see glossary.tsv for the format."""

    chinese_forms: dict[str, set[str]] = field(default_factory=dict)
    english_forms: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    broader: dict[str, tuple[str, ...]] = field(default_factory=dict)
    concepts: set[str] = field(default_factory=set)
    # First listed surface form per language, for "why this match" lines.
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> Glossary:
        glossary = cls()
        for line in lines:
            if not line.strip() or line.startswith("#"):
                continue
            columns = line.rstrip("\n").split("\t")
            concept = columns[0].strip()
            zh_forms = columns[1].split("|") if len(columns) > 1 else []
            en_forms = columns[2].split("|") if len(columns) > 2 else []
            broader = columns[3].split(",") if len(columns) > 3 else []
            glossary.concepts.add(concept)
            glossary.labels[concept_token(concept)] = (
                zh_forms[0].strip() if zh_forms else concept,
                en_forms[0].strip() if en_forms else concept,
            )
            for form in zh_forms:
                form = normalize_text(form.strip())
                if form:
                    glossary.chinese_forms.setdefault(form, set()).add(concept)
            for form in en_forms:
                words = tuple(english_words(normalize_text(form), keep_stopwords=True))
                if words:
                    glossary.english_forms.setdefault(words, set()).add(concept)
            glossary.broader[concept] = tuple(
                parent.strip() for parent in broader if parent.strip()
            )
        return glossary

    @classmethod
    def from_path(cls, path: Path) -> Glossary:
        with path.open(encoding="utf-8") as handle:
            return cls.from_lines(handle)

    @functools.cached_property
    def _chinese_trie(self) -> dict:
        root: dict = {}
        for form, concepts in self.chinese_forms.items():
            node = root
            for char in form:
                node = node.setdefault(char, {})
            node[""] = concepts
        return root

    @functools.cached_property
    def longest_english_form(self) -> int:
        return max((len(words) for words in self.english_forms), default=0)

    @functools.cached_property
    def _surface_forms(self) -> dict[str, frozenset[str]]:
        forms: dict[str, set[str]] = {}
        for form, concepts in self.chinese_forms.items():
            for concept in concepts:
                forms.setdefault(concept, set()).add(form)
        for words, concepts in self.english_forms.items():
            for concept in concepts:
                forms.setdefault(concept, set()).add(" ".join(words))
        return {concept: frozenset(found) for concept, found in forms.items()}

    def surface_forms(self, concept: str) -> frozenset[str]:
        """Every normalized form of a concept in both languages (English ones stemmed)."""
        return self._surface_forms.get(concept, frozenset())

    def label(self, token: str) -> tuple[str, str]:
        """(zh, en) display form of a token; plain words display as themselves."""
        return self.labels.get(token, (token, token))

    def with_ancestors(self, concepts: Iterable[str]) -> Iterator[str]:
        for concept in concepts:
            yield concept
            seen = {concept}
            stack = list(self.broader.get(concept, ()))
            while stack:
                parent = stack.pop()
                if parent in seen:
                    continue
                seen.add(parent)
                yield parent
                stack.extend(self.broader.get(parent, ()))

    def concepts_in_chinese(self, text: str) -> list[str]:
        """Concepts of every (overlapping) Chinese surface form occurring in normalized text."""
        found: list[str] = []
        trie = self._chinese_trie
        for start in range(len(text)):
            node = trie.get(text[start])
            position = start + 1
            while node is not None:
                if "" in node:
                    found.extend(node[""])
                if position >= len(text):
                    break
                node = node.get(text[position])
                position += 1
        return found

    def concepts_in_english(self, words: list[str]) -> list[str]:
        found: list[str] = []
        longest = self.longest_english_form
        for start in range(len(words)):
            for length in range(1, min(longest, len(words) - start) + 1):
                concepts = self.english_forms.get(tuple(words[start : start + length]))
                if concepts:
                    found.extend(concepts)
        return found

    def chinese_words(self) -> Iterator[str]:
        for form in self.chinese_forms:
            if CJK_RUN.fullmatch(form) and len(form) > 1:
                yield form


@functools.cache
def default_glossary() -> Glossary:
    return Glossary.from_path(DEFAULT_GLOSSARY_PATH)


def is_concept_token(token: str) -> bool:
    return token.startswith(CONCEPT_PREFIX)
