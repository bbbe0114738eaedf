"""The API's orjson renderer writes exactly what DRF's JSONRenderer writes (issue 19)."""

import uuid
from collections import OrderedDict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from core.api.renderers import FastJSONRenderer
from core.api.rows import Page


def documents():
    moment = datetime(2026, 11, 30, 9, 30, 15, 123456, tzinfo=UTC)
    return [
        {"count": 2, "next": None, "results": Page([{"id": 1, "name": "测试 <b>&amp;"}], total=2)},
        ReturnDict(OrderedDict(b=1, a=[1.5, 0.1, 0.3333333333333333, 12345678.9, -0.0, 100.0]), serializer=None),
        ReturnList([moment, moment.replace(microsecond=0), date(2026, 1, 2), time(9, 5, 1, 500)], serializer=None),
        {
            "decimal": Decimal("12.50"),
            "uuid": uuid.UUID(int=7),
            "lazy": gettext_lazy("Projects"),
            "delta": timedelta(1),
        },
        {1: "int key", "nested": {"t": (1, 2), "e": [], "u": "line\u2028sep\u2029end", "bool": True}},
        [None, "", '\x00\x1f"\\/', "😀", 2**53],
    ]


@pytest.mark.parametrize("document", documents())
def test_the_fast_renderer_writes_what_drfs_writes(document):
    assert FastJSONRenderer().render(document) == JSONRenderer().render(document)


def test_a_tiny_float_is_the_same_number_in_another_notation():
    import json

    document = {"tiny": 1e-05, "huge": 1e22}
    fast, drf = FastJSONRenderer().render(document), JSONRenderer().render(document)
    assert json.loads(fast) == json.loads(drf) == document


def test_an_indented_response_is_left_to_drf_and_nothing_renders_as_empty():
    context = {"indent": 2}
    assert FastJSONRenderer().render({"a": [1]}, renderer_context=context) == b'{\n  "a": [\n    1\n  ]\n}'
    assert FastJSONRenderer().render(None) == b""
