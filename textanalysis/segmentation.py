"""Chinese word segmentation: rjieba in search mode, taught the glossary's words."""

import functools

import rjieba

from textanalysis.glossary import default_glossary
from textanalysis.normalize import CJK_RUN
from textanalysis.stopwords import CHINESE_STOPWORDS


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
    for run in CJK_RUN.findall(text):
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
