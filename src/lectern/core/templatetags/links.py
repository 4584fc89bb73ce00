"""`{{ url|web_href }}`: a stored link as an href only when it is an http(s) link with a host."""

from __future__ import annotations

from django import template

from lectern.core.links import web_link

register = template.Library()


@register.filter
def web_href(url: object) -> str:
    """The link, or "" (render no link) for anything else, such as an old `javascript:` row."""
    return web_link(url) or "" if isinstance(url, str) else ""
