"""Request parsers shared by every endpoint."""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with nesting too deep for the decoder answered as a 400 instead of a ``RecursionError``
    (``[[[[…`` a hundred thousand deep is a valid-looking body that no request of this API needs)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error - the document is nested too deeply.")) from None


# Uploads accept a multipart form or JSON (an attachment id).
MULTIPART = [parsers.MultiPartParser, parsers.FormParser, JSONParser]
