"""Request body parsers that refuse hostile JSON before it costs memory or the stack.

DRF reads a JSON body straight from the request stream, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE
never applies to it; and `json.loads` recurses once per nesting level, so a body of 100,000
brackets ends in RecursionError. This parser reads at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes
(413 above), then scans the bracket depth without recursion (strings skipped) and refuses
anything nested deeper than MAX_JSON_DEPTH (400) before handing the text to `json`.
"""

import re

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, parsers, status
from rest_framework.parsers import get_encoding
from rest_framework.utils import json

MAX_JSON_DEPTH = 64
# A string literal (escapes included) or one bracket: strings are skipped as a whole, so
# brackets inside them do not count.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_OPENING = frozenset("[{")
# A `\u0000` escape (not an escaped backslash followed by "u0000"): PostgreSQL text cannot
# hold NUL, so such a string would end in a DataError (500) wherever it reaches a query.
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "request_too_large"


def max_body_bytes() -> int | None:
    return getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None)


def json_depth_exceeds(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether `text` nests arrays/objects deeper than `limit` (iterative, no recursion)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in _OPENING:
            depth += 1
            if depth > limit:
                return True
        elif len(token) == 1:
            depth -= 1
    return False


def read_limited(stream, limit: int | None) -> bytes:
    if stream is None:
        return b""
    if limit is None:
        return stream.read()
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise RequestTooLarge(
            _("The request body is larger than %(limit)d bytes.") % {"limit": limit}
        )
    return body


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a size limit (413), a nesting limit (400) and no NUL characters
    in strings (400)."""

    max_depth = MAX_JSON_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = get_encoding(parser_context)
        body = read_limited(stream, max_body_bytes())
        try:
            text = body.decode(encoding)
        except UnicodeError as error:
            raise exceptions.ParseError(_("The request body is not valid text.")) from error
        if json_depth_exceeds(text, self.max_depth):
            raise exceptions.ParseError(
                _("JSON nested deeper than %(depth)d levels is not accepted.")
                % {"depth": self.max_depth}
            )
        if "u0000" in text.lower() and _NUL_ESCAPE.search(text):
            raise exceptions.ParseError(_("Text may not contain NUL characters (\\u0000)."))
        try:
            if self.strict:
                return json.loads(text)
            return json.loads(text, parse_constant=None)
        except (ValueError, RecursionError) as error:
            raise exceptions.ParseError(
                _("JSON parse error: %(error)s") % {"error": error}
            ) from error


class FormParser(parsers.FormParser):
    """DRF's form parser, which reads the stream itself, with the same size limit (413)."""

    def parse(self, stream, media_type=None, parser_context=None):
        from django.http import QueryDict

        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        return QueryDict(read_limited(stream, max_body_bytes()), encoding=encoding)
