"""Request guards that must run before Django reads a request body."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


class UploadSizeLimitMiddleware:
    """Refuse a request body above ``AUYL_MAX_UPLOAD_BYTES`` before it is read.

    A 200 MB spreadsheet is answered at once with 413 and a message in the user's
    language, instead of being streamed to disk and parsed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.AUYL_MAX_UPLOAD_BYTES
        if length > limit:
            message = _(
                "The file is too large (%(size)s MB). The limit is %(limit)s MB: split the "
                "file by district and import the parts one after another."
            ) % {"size": length // (1024 * 1024), "limit": limit // (1024 * 1024)}
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
