"""Render emails in a sandbox, from plain values.

Every email, the code's default wording and the wording staff edit alike, is rendered by one
Django template engine of its own (`ENGINE`), over a context of plain values:

- **Plain values.** Services hand `message_queue` their context as they have it (events,
  registrations, dataclasses); `plain()` wraps it so that a template sees only strings,
  numbers, dates, lists and read-only mappings. A model becomes a mapping of its concrete
  fields (secrets such as nonces and tokens left out), `pk`, `get_<field>_display` for fields
  with choices, its public properties, and its forward relations, which are wrapped in turn:
  no manager, no method, no `save`, no `delete`. Values are read when a template asks for
  them, so an email costs the queries its wording needs and no more.
- **The sandbox.** The engine loads templates only from `notifications/templates/` (so
  `{% include %}` and `{% extends %}` reach the shared email parts and nothing else), knows
  only the template libraries the apps register for email (`email_library_register`, e.g.
  events' `deadlines`) and Django's `i18n` (built in: every email is translated), and has
  the default tags without `{% debug %}` (which prints the context and the loaded modules),
  `{% csrf_token %}` and `{% url %}`. No context processor
  runs, so no setting, request or user is in reach; Django's templates refuse names that
  start with an underscore, call nothing with arguments, and cannot assign.

Why Django's templates and not Jinja2's sandbox: the defaults are already Django templates,
and staff edit the same text they see as the default; "reset" restores it exactly; one
language for everyone who writes wording. What makes Jinja2's sandbox necessary (attribute
access on live objects) is what the plain values remove here.

Each rendering also records which values it read (`Snapshot`), and the outbox keeps them
with the message: the preview of a template renders on the latest real message of its kind.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import models
from django.template import (
    Context,
    Engine,
    Library,
    Template,
    TemplateSyntaxError,
    VariableDoesNotExist,
    defaulttags,
)
from django.utils.functional import Promise

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
SECRET = re.compile(r"nonce|token|digest|password|secret|claim|content")
SCALARS = (str, int, float, bool, Decimal, date, datetime, time, timedelta, type(None))
MAX_DEPTH = 4

_LIBRARIES: dict[str, str] = {}
_engine: Engine | None = None


def email_library_register(name: str, module: str) -> None:
    """Let email templates `{% load name %}` (a template library of an app above this one)."""
    global _engine
    _LIBRARIES[name] = module
    _engine = None


def _builtins() -> Library:
    library = Library()
    unsafe = {"debug", "csrf_token", "url"}
    library.tags = {n: t for n, t in defaulttags.register.tags.items() if n not in unsafe}
    library.filters = dict(defaulttags.register.filters)
    return library


class _SandboxEngine(Engine):
    # Not Django's defaults, which would bring every default tag back
    # and Django's i18n tags: email wording is translated like the pages (`{% translate %}`,
    # `{% blocktranslate %}`), in the language `notifications.services.render` activates.
    default_builtins = [
        "django.template.defaultfilters",
        "django.template.loader_tags",
        "django.templatetags.i18n",
    ]

    def __init__(self) -> None:
        super().__init__(
            dirs=[str(TEMPLATES_DIR)],
            app_dirs=False,
            loaders=[
                (
                    "django.template.loaders.cached.Loader",
                    ["django.template.loaders.filesystem.Loader"],
                )
            ],
            libraries={"i18n": "django.templatetags.i18n", **_LIBRARIES},
            builtins=[],
            debug=True,  # errors carry their line
        )
        self.template_builtins = [_builtins(), *self.template_builtins]


def engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = _SandboxEngine()
    return _engine


class TemplateProblem(ValueError):
    """A template that does not compile or render, with the line where it failed."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line

    def __str__(self) -> str:
        text = self.args[0]
        return f"line {self.line}: {text}" if self.line else str(text)


def compile_template(source: str) -> Template:
    try:
        return engine().from_string(source)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(str(exc), _line(exc)) from None
    except Exception as exc:  # e.g. nesting too deep to parse
        raise TemplateProblem(f"{type(exc).__name__}: {exc}") from None


def _line(exc: Exception) -> int | None:
    debug = getattr(exc, "template_debug", None)
    return int(debug["line"]) if debug and debug.get("line") else None


def render_source(template: Template, context: Mapping[str, Any], *, html: bool) -> str:
    try:
        return str(template.render(Context(dict(context), autoescape=html)))
    except TemplateProblem:
        raise
    except VariableDoesNotExist as exc:  # its own message prints the whole context
        raise TemplateProblem(f"unknown value {exc.params[0]!r}", _line(exc)) from None
    except Exception as exc:  # a template staff wrote may fail in any way at render time
        raise TemplateProblem(f"{type(exc).__name__}: {exc}", _line(exc)) from None


def default_source(folder: str, part: str) -> str:
    """The code's wording of a kind (its template file), which staff start from."""
    return (TEMPLATES_DIR / "notifications" / folder / part).read_text()


# ---------------------------------------------------------------------------------- values


class Snapshot:
    """The values a rendering read, by path, to render the same email again later."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def record(self, path: str, value: Any) -> None:
        if isinstance(value, SCALARS):
            self.values[path] = _json(value)


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, (time, timedelta, Decimal)):
        return str(value)
    return value


def _unjson(value: Any) -> Any:
    if isinstance(value, dict) and "$datetime" in value:
        return datetime.fromisoformat(value["$datetime"])
    if isinstance(value, dict) and "$date" in value:
        return date.fromisoformat(value["$date"])
    return value


def revive(values: Mapping[str, Any]) -> dict[str, Any]:
    """A context from a snapshot: nested dicts and lists of the values once read."""
    root: dict[str, Any] = {}
    for path, value in values.items():
        parts = path.split(".")
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = _unjson(value)
    return _lists(root)


def _lists(node: Any) -> Any:
    """Turn dicts keyed 0, 1, 2... (a list's items, recorded by index) back into lists."""
    if not isinstance(node, dict):
        return node
    node = {k: _lists(v) for k, v in node.items()}
    if node and all(k.isdigit() for k in node):
        return [node[k] for k in sorted(node, key=int)]
    return node


def plain(value: Any, snapshot: Snapshot | None = None, path: str = "", depth: int = 0) -> Any:
    """`value` as a template may see it: a plain value, a list, or a read-only mapping."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, SCALARS):
        if snapshot is not None and path:
            snapshot.record(path, value)
        return value
    if depth > MAX_DEPTH:
        return str(value)
    if isinstance(value, PlainMapping):
        return value
    if isinstance(value, Mapping):
        return PlainMapping(dict(value), snapshot, path, depth)
    if isinstance(value, (list, tuple, set, frozenset, models.QuerySet)):
        items = [
            plain(v, snapshot, f"{path}.{i}" if path else str(i), depth + 1)
            for i, v in enumerate(value)
        ]
        if snapshot is not None and path and not items:
            snapshot.values.setdefault(f"{path}", [])
        return items
    if isinstance(value, models.Model):
        return PlainMapping(_model_getters(value), snapshot, path, depth)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return PlainMapping(_object_getters(value), snapshot, path, depth)
    return str(value)


class PlainMapping(Mapping[str, Any]):
    """A read-only mapping whose values are read (and made plain) when asked for."""

    def __init__(
        self, source: dict[str, Any], snapshot: Snapshot | None, path: str, depth: int
    ) -> None:
        self.__source = source
        self.__snapshot = snapshot
        self.__path = path
        self.__depth = depth
        self.__cache: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key in self.__cache:
            return self.__cache[key]
        raw = self.__source[key]
        if callable(raw) and isinstance(raw, _Getter):
            raw = raw()
        path = f"{self.__path}.{key}" if self.__path else key
        value = self.__cache[key] = plain(raw, self.__snapshot, path, self.__depth + 1)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.__source)

    def __len__(self) -> int:
        return len(self.__source)

    def __str__(self) -> str:
        return f"({', '.join(self.__source)})"


class _Getter:
    def __init__(self, obj: Any, name: str) -> None:
        self.obj, self.name = obj, name

    def __call__(self) -> Any:
        try:
            return getattr(self.obj, self.name)
        except Exception:
            return None


class _Display(_Getter):
    def __call__(self) -> Any:
        return getattr(self.obj, f"get_{self.name}_display")()


def _properties(cls: type) -> list[str]:
    return [
        name
        for klass in cls.__mro__
        if klass not in (models.Model, object)
        for name, member in vars(klass).items()
        if isinstance(member, property) and not name.startswith("_")
    ]


def _model_getters(obj: models.Model) -> dict[str, Any]:
    getters: dict[str, Any] = {"pk": _Getter(obj, "pk")}
    for field in obj._meta.concrete_fields:
        if SECRET.search(field.name):
            continue
        getters[field.name] = _Getter(obj, field.name)
        if field.choices:
            getters[f"get_{field.name}_display"] = _Display(obj, field.name)
    for name in _properties(type(obj)):
        if not SECRET.search(name):
            getters.setdefault(name, _Getter(obj, name))
    return getters


def _object_getters(obj: Any) -> dict[str, Any]:
    names = [f.name for f in dataclasses.fields(obj)] + _properties(type(obj))
    return {n: _Getter(obj, n) for n in names if not n.startswith("_") and not SECRET.search(n)}


def plain_context(context: Mapping[str, Any], snapshot: Snapshot | None = None) -> dict[str, Any]:
    return {key: plain(value, snapshot, key) for key, value in context.items()}


__all__ = [
    "TemplateProblem",
    "compile_template",
    "default_source",
    "email_library_register",
    "engine",
    "plain_context",
    "render_source",
    "revive",
]
