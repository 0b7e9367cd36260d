"""The pages a browser sees at the sandbox's identity providers: sign-in and consent, errors, form_post.

Plain HTML, no external resources: labelled controls in a fieldset, a visible focus outline, and the first
button (Allow) is what Enter submits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi.responses import HTMLResponse
from jinja2 import Environment, select_autoescape

from app.sandbox.directory import SandboxUser

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1b1f24; }
main { max-width: 32rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 8px;
       box-shadow: 0 1px 3px rgba(0, 0, 0, .2); }
h1 { font-size: 1.4rem; }
.note { color: #454c55; font-size: .9rem; }
.error { color: #a4000f; font-weight: 600; }
fieldset { border: 1px solid #c3c8cf; border-radius: 6px; margin: 1rem 0; padding: .5rem 1rem 1rem; }
fieldset div { margin: .4rem 0; }
input[type=email] { width: 100%; padding: .4rem; box-sizing: border-box; font-size: 1rem; }
button { font-size: 1rem; padding: .5rem 1.2rem; margin-right: .5rem; border-radius: 4px; border: 1px solid #0b5cad; }
button[value=allow] { background: #0b5cad; color: #fff; }
button[value=deny] { background: #fff; color: #0b5cad; }
:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
"""

_SIGN_IN = _ENV.from_string(
    """<!doctype html>
<html lang="en">
<head>
<link rel="icon" href="data:,">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in to {{ vendor }} (crmbridge sandbox)</title>
<style>{{ style }}</style>
</head>
<body>
<main>
<h1>Sign in to {{ vendor }}</h1>
<p class="note">This is the crmbridge sandbox standing in for {{ vendor }}'s sign-in and consent screen.
No password is needed.</p>
{% if error %}<p class="error" role="alert" id="sign-in-error">{{ error }}</p>{% endif %}
<p>The application <strong>{{ client_id }}</strong> asks for:</p>
<ul>{% for scope in scopes %}<li>{{ scope }}</li>{% else %}<li>basic access</li>{% endfor %}</ul>
<form method="post" action="{{ action }}">
<input type="hidden" name="request_id" value="{{ request_id }}">
<fieldset>
<legend>Choose an account</legend>
{% for user in users %}
<div><input type="radio" id="account-{{ loop.index }}" name="account" value="{{ user.email }}"
{%- if user.email == selected %} checked{% endif %}>
<label for="account-{{ loop.index }}">{{ user.name }} ({{ user.email }})</label></div>
{% endfor %}
<div><input type="radio" id="account-other" name="account" value="other"
{%- if selected == "other" %} checked{% endif %}>
<label for="account-other">Another account</label></div>
<div><label for="other-address">Email address of another account</label>
<input type="email" id="other-address" name="other_address" value="{{ other_address }}" autocomplete="email"
{%- if error %} aria-describedby="sign-in-error"{% endif %}></div>
</fieldset>
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</form>
</main>
</body>
</html>
"""
)

_ERROR = _ENV.from_string(
    """<!doctype html>
<html lang="en">
<head>
<link rel="icon" href="data:,">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ vendor }} sign-in error (crmbridge sandbox)</title>
<style>{{ style }}</style>
</head>
<body>
<main>
<h1>{{ vendor }} cannot complete this sign-in</h1>
<p class="error" role="alert">{{ error }}: {{ description }}</p>
<p class="note">The application sent a request the sandbox's {{ vendor }} sign-in does not accept.</p>
</main>
</body>
</html>
"""
)

_SIGNED_OUT = _ENV.from_string(
    """<!doctype html>
<html lang="en">
<head>
<link rel="icon" href="data:,">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Signed out of {{ vendor }} (crmbridge sandbox)</title>
<style>{{ style }}</style>
</head>
<body>
<main>
<h1>You signed out of your account</h1>
<p class="note">It's a good idea to close all browser windows. (crmbridge sandbox, standing in for {{ vendor }}.)</p>
</main>
</body>
</html>
"""
)

_FORM_POST = _ENV.from_string(
    """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Returning to the application</title></head>
<body onload="document.forms[0].submit()">
<form method="post" action="{{ action }}">
{% for name, value in fields %}<input type="hidden" name="{{ name }}" value="{{ value }}">
{% endfor %}
<p>Signed in. <button type="submit">Continue to the application</button></p>
</form>
</body>
</html>
"""
)


def sign_in_page(
    *,
    vendor: str,
    action: str,
    request_id: str,
    client_id: str,
    scopes: Sequence[str],
    users: Sequence[SandboxUser],
    selected: str,
    other_address: str = "",
    error: str | None = None,
) -> HTMLResponse:
    """The account chooser and consent screen. ``selected`` is a listed address, or ``other``."""
    html = _SIGN_IN.render(
        style=_STYLE,
        vendor=vendor,
        action=action,
        request_id=request_id,
        client_id=client_id,
        scopes=scopes,
        users=users,
        selected=selected,
        other_address=other_address,
        error=error,
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


def error_page(vendor: str, error: str, description: str) -> HTMLResponse:
    """The page (status 400) shown when a request cannot be answered at the client's redirect URI."""
    html = _ERROR.render(style=_STYLE, vendor=vendor, error=error, description=description)
    return HTMLResponse(html, status_code=400)


def signed_out_page(vendor: str) -> HTMLResponse:
    """The page shown after signing out when the client named no place to return to."""
    return HTMLResponse(_SIGNED_OUT.render(style=_STYLE, vendor=vendor))


def form_post_page(action: str, fields: Mapping[str, str | None]) -> HTMLResponse:
    """``response_mode=form_post``: a page that posts the response parameters to the client."""
    html = _FORM_POST.render(action=action, fields=[(k, v) for k, v in fields.items() if v is not None])
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})
