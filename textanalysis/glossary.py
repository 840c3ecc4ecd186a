"""The green-technology glossary: concepts and their surface forms.

glossary.tsv defines the concepts with their Chinese and English forms and broader concepts;
glossary_more.tsv adds forms in further Latin-script languages (Vietnamese, Indonesian, Malay) to
those concepts. Every surface form of a concept, in any language, analyses to one shared concept
token (``zc<concept>``), so 渗滤液, "leachate", "nước rỉ rác" and "lindi" meet; broader concepts
are added too.
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
MORE_LANGUAGES_PATH = Path(__file__).with_name("glossary_more.tsv")

_CONCEPT_SLUG = re.compile(r"[^a-z0-9]+")


def concept_token(concept: str) -> str:
    return CONCEPT_PREFIX + _CONCEPT_SLUG.sub("", concept.lower())


@dataclass
class Glossary:
    """Concepts with Chinese and English surface forms (glossary.tsv) and, optionally, forms
    in more Latin-script languages (glossary_more.tsv); see the files for their formats."""

    chinese_forms: dict[str, set[str]] = field(default_factory=dict)
    english_forms: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    # Word sequences of the other Latin-script languages, by language ("vi", "id", "ms").
    more_forms: dict[str, dict[tuple[str, ...], set[str]]] = field(default_factory=dict)
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
    def from_path(cls, path: Path, *, more_languages: Path | None = None) -> Glossary:
        with path.open(encoding="utf-8") as handle:
            glossary = cls.from_lines(handle)
        if more_languages is not None:
            with more_languages.open(encoding="utf-8") as handle:
                glossary.add_language_lines(handle)
        return glossary

    def add_language_lines(self, lines: Iterable[str]) -> None:
        """Add `concept<TAB>language<TAB>forms (|)` rows (glossary_more.tsv) to known concepts."""
        for cached in ("word_forms", "longest_word_form", "_word_prefixes"):
            self.__dict__.pop(cached, None)
        for number, line in enumerate(lines, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            columns = line.rstrip("\n").split("\t")
            if len(columns) != 3:
                raise ValueError(f"line {number}: expected concept, language and forms")
            concept, language, forms = (column.strip() for column in columns)
            if concept not in self.concepts:
                raise ValueError(f"line {number}: unknown concept {concept!r}")
            table = self.more_forms.setdefault(language, {})
            for form in forms.split("|"):
                words = tuple(english_words(normalize_text(form), keep_stopwords=True))
                if words:
                    table.setdefault(words, set()).add(concept)

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
    def longest_word_form(self) -> int:
        return max((len(words) for words in self.word_forms), default=0)

    @functools.cached_property
    def word_forms(self) -> dict[tuple[str, ...], set[str]]:
        # English and every other Latin-script language in one table: a text is read in all of
        # them, as mixed text is common and a short need may carry no telling word.
        merged = dict(self.english_forms)
        for table in self.more_forms.values():
            for words, concepts in table.items():
                known = merged.get(words)
                if known is None or not concepts <= known:
                    merged[words] = concepts | (known or set())
        return merged

    @functools.cached_property
    def _word_prefixes(self) -> frozenset[tuple[str, ...]]:
        return _prefixes(self.word_forms)

    @functools.cached_property
    def _english_prefixes(self) -> frozenset[tuple[str, ...]]:
        return _prefixes(self.english_forms)

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
        """Every normalized Chinese and English form of a concept (English ones stemmed), for
        highlighting (the accent-folded forms of other languages match no displayed text)."""
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
        """Concepts of the English forms among `english_words(text, keep_stopwords=True)`."""
        return _concepts_in(words, self.english_forms, self._english_prefixes)

    def concepts_in_words(self, words: list[str]) -> list[str]:
        """Concepts of the English, Vietnamese, Indonesian or Malay forms among
        `english_words(text, keep_stopwords=True)`."""
        return _concepts_in(words, self.word_forms, self._word_prefixes)

    def concepts_in_language(self, language: str, words: list[str]) -> list[str]:
        """Concepts of one more language's forms (glossary_more.tsv) among the words."""
        table = self.more_forms.get(language, {})
        return _concepts_in(words, table, _prefixes(table))

    def chinese_words(self) -> Iterator[str]:
        for form in self.chinese_forms:
            if CJK_RUN.fullmatch(form) and len(form) > 1:
                yield form


def _prefixes(forms: Iterable[tuple[str, ...]]) -> frozenset[tuple[str, ...]]:
    """Every proper prefix of the word sequences (where a longer form may still follow)."""
    return frozenset(words[:length] for words in forms for length in range(1, len(words)))


def _concepts_in(
    words: list[str],
    forms: dict[tuple[str, ...], set[str]],
    prefixes: frozenset[tuple[str, ...]],
) -> list[str]:
    found: list[str] = []
    for start in range(len(words)):
        end = start + 1
        while end <= len(words):
            phrase = tuple(words[start:end])
            concepts = forms.get(phrase)
            if concepts:
                found.extend(concepts)
            if phrase not in prefixes:
                break
            end += 1
    return found


@functools.cache
def default_glossary() -> Glossary:
    return Glossary.from_path(DEFAULT_GLOSSARY_PATH, more_languages=MORE_LANGUAGES_PATH)


def is_concept_token(token: str) -> bool:
    return token.startswith(CONCEPT_PREFIX)
