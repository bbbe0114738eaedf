"""The application as gunicorn serves it, plus one path for the benchmark's HTTP comparison: ``/__bench_floor/``
answers the projects floor (``scripts/bench_floors.py``, first page of 50) from a plain WSGI callable through
Django's own database connection — the fastest a Python web process could answer the same JSON. Used by
``make bench`` only; the product's URLs are untouched."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cdmo_portal.wsgi import application as django_application


def application(environ, start_response):
    if environ.get("PATH_INFO") != "/__bench_floor/":
        return django_application(environ, start_response)
    from bench_floors import FLOORS
    from django.db import close_old_connections, connection

    close_old_connections()
    with connection.cursor() as cursor:
        cursor.execute(FLOORS["projects"], {"limit": 50, "offset": 0})
        body = json.dumps(cursor.fetchone()[0]).encode()
    close_old_connections()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
