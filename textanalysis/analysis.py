"""`analyze()`: the index tokens of a text, shared by the search index and the matching engine."""

from textanalysis.glossary import Glossary, concept_token, default_glossary
from textanalysis.normalize import CJK_CHARACTER, normalize_text
from textanalysis.segmentation import chinese_words
from textanalysis.stemming import english_words


def analyze(
    text: str,
    language: str | None = None,
    *,
    glossary: Glossary | None = None,
    use_glossary: bool = True,
) -> list[str]:
    """Index tokens of `text`: words of both scripts plus glossary concept tokens.

    `language` ("zh"/"en") is accepted for the API's sake; mixed text is common (Chinese listings
    quote "MBR", "VOCs", English ones quote Chinese standards), so both scripts are always analysed,
    and Latin words are looked up among the English, Vietnamese and Indonesian/Malay forms alike.
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
        if CJK_CHARACTER.search(normalized):
            concepts.extend(glossary.concepts_in_chinese(normalized))
        concepts.extend(glossary.concepts_in_words(english_words(normalized, keep_stopwords=True)))
        tokens.extend(concept_token(concept) for concept in glossary.with_ancestors(concepts))
    return tokens
