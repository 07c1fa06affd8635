"""An optional rewrite of the brief's summary by a language model the operator hosts.

Off unless ``MISSIONLEAD_BRIEF_SUMMARISER_URL`` is set: then, and only then, the summary (the
few sentences of ``text.prose``, never the sections or their links) is sent to
``<url>/chat/completions`` in the OpenAI-compatible form, with ``_MODEL`` and, if set,
``_API_KEY`` as a bearer token. Nothing leaves the server otherwise.

Whatever goes wrong (the server is down, slow beyond ``_TIMEOUT`` seconds, answers an error
or something that is not a completion), the brief keeps its deterministic wording: this
returns None and logs why. An answer is cached for a week per text, model and endpoint, so a
brief seen again (the page, the API, the email) costs no second request; a failure is
remembered for a few minutes so that a server that is down does not slow every page.
"""

from __future__ import annotations

import hashlib
import json
import logging
import urllib.error
import urllib.request
from contextlib import suppress
from typing import Any

from django.conf import settings
from django.core.cache import cache

from missionlead.throttling import CACHE_ERRORS

logger = logging.getLogger(__name__)

CACHE_SECONDS = 7 * 24 * 3600  # a week: the brief's own period
FAILURE_SECONDS = 5 * 60  # a failure is tried again after this
MAX_CHARS = 2_000  # a longer answer is not a summary of a few sentences
FAILED = "\x00failed"  # the cached mark of a failure
INSTRUCTIONS = (
    "You rewrite the summary of a leader's weekly brief so that it reads well. Keep every "
    "number, name, percentage and date exactly as given; add no fact, advice or cause that "
    "the text does not state; say sequences as sequences, never as causes. Answer with the "
    "rewritten summary only, in at most five sentences of plain text."
)


def enabled() -> bool:
    return bool(settings.MISSIONLEAD_BRIEF_SUMMARISER_URL)


def _key(text: str) -> str:
    what = "\n".join([settings.MISSIONLEAD_BRIEF_SUMMARISER_URL, _model(), text])
    return "brief-summary:" + hashlib.sha256(what.encode()).hexdigest()


def _model() -> str:
    return str(settings.MISSIONLEAD_BRIEF_SUMMARISER_MODEL)


def summarise(text: str) -> str | None:
    """``text`` rewritten by the operator's summariser, or None: off, or it failed."""
    if not enabled() or not text:
        return None
    key = _key(text)
    cached = None
    with suppress(*CACHE_ERRORS):
        cached = cache.get(key)
    if cached == FAILED:
        return None
    if cached:
        return str(cached)
    answer = _ask(text)
    with suppress(*CACHE_ERRORS):
        if answer is None:
            cache.set(key, FAILED, FAILURE_SECONDS)
        else:
            cache.set(key, answer, CACHE_SECONDS)
    return answer


def _ask(text: str) -> str | None:
    url = settings.MISSIONLEAD_BRIEF_SUMMARISER_URL.rstrip("/") + "/chat/completions"
    body = json.dumps(
        {
            "model": _model(),
            "messages": [
                {"role": "system", "content": INSTRUCTIONS},
                {"role": "user", "content": text},
            ],
            "temperature": 0,
        }
    ).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if settings.MISSIONLEAD_BRIEF_SUMMARISER_API_KEY:
        headers["Authorization"] = f"Bearer {settings.MISSIONLEAD_BRIEF_SUMMARISER_API_KEY}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(  # noqa: S310 (an http(s) URL the operator set)
            request, timeout=settings.MISSIONLEAD_BRIEF_SUMMARISER_TIMEOUT
        ) as response:
            payload: Any = json.loads(response.read(65_536).decode())
    except (OSError, ValueError) as error:  # URLError, HTTPError, timeouts, bad JSON
        logger.warning("Brief summariser at %s failed (%s); the brief keeps its words.", url, error)
        return None
    answer = _content(payload)
    if answer is None:
        logger.warning("Brief summariser at %s gave no usable completion.", url)
    return answer


def _content(payload: Any) -> str | None:
    """The first choice's message, if it is a short, non-empty text."""
    try:
        content = payload["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        return None
    if not isinstance(content, str):
        return None
    content = content.strip()
    if not content or len(content) > MAX_CHARS:
        return None
    return content
