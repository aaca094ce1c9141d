"""File downloads: one way to send a generated file to the browser."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header


def file_response(
    content: bytes | str, content_type: str, filename: str, *, inline: bool = False
) -> HttpResponse:
    """``content`` as a download named ``filename`` (shown in the browser when ``inline``).

    Django's ``content_disposition_header`` quotes the name and encodes non-ASCII names
    (RFC 6266), so a Kazakh or Russian file name arrives intact."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename) or "inline"
    return response
