"""The local provider's pages: sign-in (a user name only), errors, signed out. Self-contained: no external asset,
inline style allowed by its hash in a strict Content-Security-Policy, light and dark by ``prefers-color-scheme``."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from html import escape

from starlette.responses import HTMLResponse

_STYLE = """
:root { color-scheme: light dark; --bg: #f8fafc; --card: #ffffff; --text: #0f172a; --muted: #475569;
  --border: #cbd5e1; --accent: #2563eb; --accent-text: #ffffff; --error: #b91c1c; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #020617; --card: #0f172a; --text: #e2e8f0; --muted: #94a3b8; --border: #334155;
    --accent: #60a5fa; --accent-text: #020617; --error: #fca5a5; }
}
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: var(--bg); color: var(--text);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { width: min(24rem, calc(100vw - 2rem)); background: var(--card); border: 1px solid var(--border);
  border-radius: 0.75rem; padding: 1.75rem; }
h1 { font-size: 1.25rem; margin: 0 0 0.25rem; }
p { margin: 0 0 1rem; color: var(--muted); }
label { display: block; font-weight: 600; margin-bottom: 0.375rem; }
input { width: 100%; padding: 0.625rem 0.75rem; font: inherit; color: var(--text); background: var(--bg);
  border: 1px solid var(--border); border-radius: 0.5rem; }
input[aria-invalid="true"] { border-color: var(--error); }
button { margin-top: 1rem; width: 100%; padding: 0.625rem; font: inherit; font-weight: 600; border: 0;
  border-radius: 0.5rem; background: var(--accent); color: var(--accent-text); cursor: pointer; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.error { color: var(--error); margin: 0.5rem 0 0; }
.note { font-size: 0.875rem; margin: 1rem 0 0; }
"""
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()


def _csp(form_targets: Iterable[str] = ()) -> str:
    # form-action covers the redirect that follows the form post, so it names where that redirect may go
    targets = " ".join(["'self'", *form_targets])
    return (
        f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; form-action {targets}; "
        "frame-ancestors 'none'; base-uri 'none'"
    )


def _page(title: str, body: str, *, status: int, form_targets: Iterable[str] = ()) -> HTMLResponse:
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body><main>{body}</main></body></html>"
    )
    headers = {
        "Content-Security-Policy": _csp(form_targets),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }
    return HTMLResponse(html, status_code=status, headers=headers)


def sign_in_page(
    params: Mapping[str, str], *, redirect_origin: str, max_chars: int, user_name: str = "", error: str | None = None
) -> HTMLResponse:
    """The form that asks for a user name and posts the authorization request's parameters back."""
    hidden = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">' for name, value in params.items()
    )
    invalid = ' aria-invalid="true" aria-describedby="name-error"' if error else ' aria-describedby="name-hint"'
    message = (
        f'<p class="error" id="name-error" role="alert">{escape(error)}</p>'
        if error
        else '<p class="note" id="name-hint">Letters, digits and . _ @ - . The same name is the same user.</p>'
    )
    body = (
        "<h1>Sign in to PrivateGPT</h1><p>Local development sign-in: no password, any user name.</p>"
        f'<form method="post" action="/oauth/authorize">{hidden}'
        '<label for="username">User name</label>'
        f'<input id="username" name="username" type="text" value="{escape(user_name)}" required autofocus '
        f'maxlength="{max_chars}" autocomplete="username" autocapitalize="none" spellcheck="false"{invalid}>'
        f'{message}<button type="submit">Sign in</button></form>'
    )
    return _page("Sign in", body, status=400 if error else 200, form_targets=[redirect_origin])


def error_page(message: str, *, status: int = 400) -> HTMLResponse:
    body = f'<h1>Sign-in request refused</h1><p role="alert">{escape(message)}</p>'
    return _page("Sign-in error", body, status=status)


def signed_out_page(note: str | None = None) -> HTMLResponse:
    extra = f'<p class="note" role="status">{escape(note)}</p>' if note else ""
    body = f"<h1>Signed out</h1><p>You can close this page.</p>{extra}"
    return _page("Signed out", body, status=200)
