"""The OpenAPI document says what the API does: limits that are settings are written into it at build time.

Pydantic models and query parameters are declared once, at import; their limits live in ``Settings``, which the
app factory receives. A field whose limit is a setting carries ``setting_limit(maxLength="max_title_chars")``;
the service checks the same setting, and ``install`` puts the setting's value into the document, so the
schema, the check and the settings table cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import FastAPI
from pydantic import AfterValidator, Field

from privategpt.errors import error_responses
from privategpt.settings import Settings

_MARK = "x-limit-from-setting"
# Which JSON types each keyword constrains: it is set on the branches of an ``anyOf`` that have that type.
_APPLIES_TO = {"maxLength": {"string"}, "maxItems": {"array"}, "maximum": {"integer", "number"}}

# Control characters (C0, DEL, C1), line/paragraph separators and bidi overrides/isolates: never in a name.
CONTROLS = r"\x00-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069"
# The spaces Python's ``str.strip`` removes that are not already controls (spelt out: regex engines differ on \s).
SPACES = r" \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
# A one-line name (titles, prompt names): no control characters, and not only spaces.
LINE_PATTERN = rf"^[^{CONTROLS}]*[^{CONTROLS}{SPACES}][^{CONTROLS}]*$"
# A model id: no control characters and no spaces.
MODEL_PATTERN = rf"^[^{CONTROLS}{SPACES}]*$"


#: A one-line text (a title, a name): no control characters, not only spaces, trimmed. Give it its maximum
#: length with ``Annotated[OneLine, Field(json_schema_extra=setting_limit(maxLength=...))]``.
OneLine = Annotated[
    str,
    Field(
        min_length=1,
        pattern=LINE_PATTERN,
        description="one line: no control characters, not only spaces (which are trimmed)",
    ),
    AfterValidator(str.strip),
]


def integral(value: object) -> object:
    """An integer as JSON Schema counts one: ``1024.0`` is an integer there, strict pydantic would refuse it
    (strings stay refused). Use it after the field's constraints, so they stay in the schema:
    ``Annotated[int, Field(gt=0), BeforeValidator(integral)]``."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def setting_limit(**keywords: str) -> dict[str, Any]:
    """``json_schema_extra`` for a field limited by settings, e.g. ``setting_limit(maxLength="max_title_chars")``."""
    for keyword, name in keywords.items():
        if keyword not in _APPLIES_TO or name not in Settings.model_fields:
            raise ValueError(f"unknown limit {keyword}={name}")
    return {_MARK: keywords}


def _apply(node: dict[str, Any], keyword: str, value: int) -> None:
    branches = node.get("anyOf") or node.get("oneOf")
    targets = [b for b in branches if isinstance(b, dict)] if branches else [node]
    for target in targets:
        if target.get("type") in _APPLIES_TO[keyword]:
            target[keyword] = value


def resolve_limits(node: Any, settings: Settings) -> None:
    """Replace every ``setting_limit`` mark in a schema (in place) with the setting's value."""
    if isinstance(node, dict):
        marks = node.pop(_MARK, None)
        for keyword, name in (marks or {}).items():
            _apply(node, keyword, int(getattr(settings, name)))
        for value in node.values():
            resolve_limits(value, settings)
    elif isinstance(node, list):
        for value in node:
            resolve_limits(value, settings)


def one_error_shape(schema: dict[str, Any]) -> None:
    """FastAPI documents its own 422 body; the app answers every 422 in the one error shape (errors.py)."""
    components = schema.get("components", {}).get("schemas", {})
    if "ErrorResponse" not in components:
        return
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            unprocessable = operation.get("responses", {}).get("422")
            if unprocessable and "HTTPValidationError" in str(unprocessable.get("content")):
                unprocessable.update(error_responses_doc(422))
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)


def error_responses_doc(status: int) -> dict[str, Any]:
    """One status of ``errors.error_responses`` as it appears in the document."""
    description = error_responses(status)[status]["description"]
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
    return {"description": description, "content": content}


def install(app: FastAPI, settings: Settings) -> None:
    """Make ``app.openapi()`` (and ``/openapi.json``) carry the limits of this app's settings."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            resolve_limits(schema, settings)
            one_error_shape(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
