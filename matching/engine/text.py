"""Text analysis shared by indexing, querying and reranking.

`analyze()` turns Chinese, English or mixed text into index tokens:

* Chinese runs are segmented with rjieba in search mode, so sub-phrases are indexed too
  (高浓度有机废水 -> 浓度, 高浓度, 有机, 废水, 有机废水);
* English runs are lower-cased, split on non-alphanumerics and reduced by a light stemmer;
* stopwords, numbers and single characters are dropped;
* every glossary surface form found in the text adds its concept token (``zc<concept>``) and the
  tokens of its broader concepts, so 渗滤液 and "leachate" share ``zcleachate`` and
  ``zcwastewater``.

Every token is either a run of CJK characters or ``[a-z0-9]+``: PostgreSQL's ``simple`` text search
configuration keeps such space-joined tokens unchanged, so the Django side can store
``" ".join(analyze(...))`` in a tsvector and build tsqueries from the same function.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import rjieba

CONCEPT_PREFIX = "zc"
DEFAULT_GLOSSARY_PATH = Path(__file__).with_name("glossary.tsv")

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_CONCEPT_SLUG = re.compile(r"[^a-z0-9]+")


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


ENGLISH_STOPWORDS = _word_set(
    """
    a about above across after again against all almost also although always am among an and any
    are around as at be because been before being below between both but by can cannot could did
    do does doing done down during each either else enough even ever every few for from further
    get gets getting got had has have having he her here hers him his how however i if in into is
    it its itself just least less like made make makes many may me might more most much must my
    need needs needed no nor not now of off on once one only or other others our ours out over own
    per please rather same she should since so some such than that the their them then there these
    they this those though through thus to too under until up upon us use used uses using very via
    was we well were what when where whether which while who whom whose why will with within
    without would yet you your yours want wants wanted looking look seek seeking able approx
    approximately around currently current existing new today year years day days month months week
    weeks time times per cent percent etc e g ie eg including include includes included based
    typical typically require required requires requirement requirements solution solutions
    system systems technology technologies process processes project projects plant plants site
    sites company companies customer customers operator operators provide provides provided
    """
)

CHINESE_STOPWORDS = _word_set(
    """
    我们 我司 公司 本公司 我公司 企业 你们 他们 目前 现在 已经 已 需要 希望 想要 想 要求
    可以 能够 能否 进行 采用 通过 实现 以及 及其 并且 而且 但是 但 同时 因此 所以 如果 由于
    对于 关于 其中 这个 那个 这些 那些 一个 一种 一些 没有 不是 就是 还是 还有 或者 以上
    以下 左右 大约 约 每年 每天 每月 年 月 日 天 个 项 台 套 的 了 和 与 及 在 是 有 为 对
    将 把 被 从 向 于 等 等等 之 其 也 都 又 并 而 或 技术 工艺 系统 方案 项目 设备 装置
    产品 问题 情况 方面 相关 主要 提供 适用 适用于 具有 包括 已在 应用
    """
)

_SUBSCRIPT_FIX = str.maketrans({"₂": "2", "₃": "3", "₄": "4", "₅": "5"})


def normalize_text(text: str) -> str:
    """NFKC-fold (full-width letters, ㎥, subscripts) and lower-case."""
    return unicodedata.normalize("NFKC", text.translate(_SUBSCRIPT_FIX)).lower()


@functools.lru_cache(maxsize=65536)
def stem_english(word: str) -> str:
    """A deliberately light stemmer: plurals and British/American spelling (-ise/-ize, -our/-or).

    -ing/-ed are kept: stripping them merges unrelated senses (heating/heat, lighting/light) and the
    glossary lists the inflections that matter.
    """
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is", "os", "gas")):
        word = word[:-1]
    for british, american in (("isation", "ization"), ("iser", "izer"), ("ise", "ize")):
        if word.endswith(british) and len(word) > len(british) + 3:
            word = word[: -len(british)] + american
            break
    if word.endswith("our") and len(word) >= 5:
        word = word[:-3] + "or"
    if word.endswith("tre") and len(word) > 5:
        word = word[:-3] + "ter"
    return word


def english_words(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Stemmed English words of normalized text; pure numbers and (by default) stopwords dropped."""
    words: list[str] = []
    for raw in _ASCII_WORD.findall(text):
        if raw.isdigit():
            continue
        stem = stem_english(raw)
        if not keep_stopwords and (
            len(stem) < 2 or raw in ENGLISH_STOPWORDS or stem in ENGLISH_STOPWORDS
        ):
            continue
        words.append(stem)
    return words


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
            glossary.broader[concept] = tuple(b.strip() for b in broader if b.strip())
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
    def _longest_english_form(self) -> int:
        return max((len(words) for words in self.english_forms), default=0)

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
        longest = self._longest_english_form
        for start in range(len(words)):
            for length in range(1, min(longest, len(words) - start) + 1):
                concepts = self.english_forms.get(tuple(words[start : start + length]))
                if concepts:
                    found.extend(concepts)
        return found

    def chinese_words(self) -> Iterator[str]:
        for form in self.chinese_forms:
            if _CJK_RUN.fullmatch(form) and len(form) > 1:
                yield form


@functools.cache
def default_glossary() -> Glossary:
    return Glossary.from_path(DEFAULT_GLOSSARY_PATH)


@functools.cache
def _segmenter() -> rjieba.Jieba:
    # A private instance so glossary words never leak into other users of rjieba.
    segmenter = rjieba.Jieba()
    for word in default_glossary().chinese_words():
        segmenter.add_word(word, 20000, None)
    return segmenter


def chinese_words(text: str) -> list[str]:
    """Search-mode segmentation of the CJK runs of normalized text (sub-phrases included)."""
    segmenter = _segmenter()
    words: list[str] = []
    for run in _CJK_RUN.findall(text):
        for word in segmenter.cut(run):
            words.extend(_search_mode_parts(segmenter, word))
    return [word for word in words if len(word) > 1 and word not in CHINESE_STOPWORDS]


def _search_mode_parts(segmenter: rjieba.Jieba, word: str) -> list[str]:
    # Like cut_for_search, but every known sub-word counts, not only 2- and 3-grams, so that
    # 高浓度有机废水 also yields 有机废水.
    parts: list[str] = []
    length = len(word)
    if length > 2:
        for size in range(2, length):
            for start in range(length - size + 1):
                part = word[start : start + size]
                if segmenter.has_word(part):
                    parts.append(part)
    parts.append(word)
    return parts


def analyze(
    text: str,
    language: str | None = None,
    *,
    glossary: Glossary | None = None,
    use_glossary: bool = True,
) -> list[str]:
    """Index tokens of `text`: words of both scripts plus glossary concept tokens.

    `language` ("zh"/"en") is accepted for the API's sake; mixed text is common (Chinese listings
    quote "MBR", "VOCs", English ones quote Chinese standards), so both scripts are always analysed.
    """
    del language
    if not text:
        return []
    normalized = normalize_text(text)
    tokens = chinese_words(normalized)
    tokens.extend(english_words(normalized))
    if use_glossary:
        glossary = glossary or default_glossary()
        concepts: list[str] = []
        if _CJK_CHAR.search(normalized):
            concepts.extend(glossary.concepts_in_chinese(normalized))
        concepts.extend(
            glossary.concepts_in_english(english_words(normalized, keep_stopwords=True))
        )
        tokens.extend(concept_token(concept) for concept in glossary.with_ancestors(concepts))
    return tokens


def is_concept_token(token: str) -> bool:
    return token.startswith(CONCEPT_PREFIX)
