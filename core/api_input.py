"""What the API takes in before any endpoint sees it: JSON bodies (depth, NUL characters) and how
often (throttles). Apart from core/api.py: DRF's APIView reads DEFAULT_PARSER_CLASSES and
DEFAULT_THROTTLE_CLASSES when it is imported, and core/api.py imports it."""

from django.conf import settings
from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

# JSON deeper than this is refused: no body of this API nests more than a few levels, and Python's
# decoder and DRF's fields recurse (a body nested 5,000 deep was a server error).
JSON_MAX_DEPTH = 32
TOO_DEEP = f"The JSON is nested too deeply (at most {JSON_MAX_DEPTH} levels)."


def json_check(value) -> None:
    """Raises ParseError if a decoded JSON value nests past JSON_MAX_DEPTH or carries a NUL
    character in a key or string (PostgreSQL cannot store nor compare one). Iterative: a deep value
    cannot exhaust the stack here."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise exceptions.ParseError("The JSON contains a NUL character, which no field accepts.")
        elif isinstance(item, dict | list):
            if depth > JSON_MAX_DEPTH:
                raise exceptions.ParseError(TOO_DEEP)
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


class JsonParser(JSONParser):
    """DRF's JSON parser, refusing what no endpoint can take (json_check) with a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(TOO_DEEP) from None
        json_check(data)
        return data


class AnonThrottle(AnonRateThrottle):
    """Calls without credentials, per address: settings.API_THROTTLE_ANON, read per request (DRF's
    own classes freeze their rates when imported)."""

    def get_rate(self):
        return settings.API_THROTTLE_ANON or None


class UserThrottle(UserRateThrottle):
    """Calls of a signed-in user (token or session), per user: settings.API_THROTTLE_USER."""

    def get_rate(self):
        return settings.API_THROTTLE_USER or None
