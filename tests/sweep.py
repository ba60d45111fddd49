"""Walking every page form and every API operation, for the failure sweeps (no 500, ever).

Routes come from the URL resolver and the objects they name from the isolation sweep's registry
(`tests/agency/test_isolation.py`: `all_routes`, `OBJECT_KWARGS`, `world_b`), so a route another
helper adds is walked here without being listed. We act as agency B's owner, on agency B's
objects: the registry's objects are then our own.

Forms are discovered from the pages themselves (every `<form method="post">` in a GET response);
API operations and their body fields from the OpenAPI schema.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.apps import apps
from django.urls import reverse

from tests.agency.test_isolation import OBJECT_KWARGS, PUBLIC_ROUTES, Route, all_routes

# Forms the sweeps never submit: signing out ends the session the sweep runs in.
SKIP_FORM_ACTIONS = {"accounts:logout"}

# Rows a failed request may legitimately leave behind: the audit trail (a token was revealed, a
# connection was marked revoked), idempotency records written before a Graph call on purpose.
BOOKKEEPING_MODELS = {"agency.auditevent", "agency.graphwrite", "sessions.session"}

# Query parameters tried on every GET: a list page that starts paging or filtering is covered.
HOSTILE_QUERY = {"page": "99999999999999999999999", "limit": "-1", "offset": "-5",
                 "page_size": "0", "q": "' OR 1=1 --", "id": "²", "client": "1e309",
                 "ordering": "-password", "cursor": "%%%"}


@dataclass
class FormField:
    name: str
    kind: str  # input type, "select", "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class PageForm:
    page: str  # the page it was found on
    action: str
    fields: list[FormField]

    def field_names(self) -> list[str]:
        seen: dict[str, None] = {}
        for f in self.fields:
            if f.kind not in {"submit", "button", "image", "reset"} and f.name != \
                    "csrfmiddlewaretoken":
                seen.setdefault(f.name, None)
        return list(seen)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[dict, list[FormField]]] = []
        self._form: list[FormField] | None = None
        self._select: FormField | None = None
        self._textarea: FormField | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = []
            self.forms.append((a, self._form))
        elif self._form is None or "name" not in a or "disabled" in a:
            if tag == "option" and self._select is not None:
                self._select.options.append(a.get("value", ""))
            return
        elif tag == "input":
            self._form.append(FormField(a["name"], a.get("type", "text").lower(),
                                        a.get("value", ""), checked="checked" in a))
        elif tag == "select":
            self._select = FormField(a["name"], "select-multiple" if "multiple" in a else "select")
            self._form.append(self._select)
        elif tag == "textarea":
            self._textarea = FormField(a["name"], "textarea")
            self._form.append(self._textarea)
        if tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_on(page_url: str, html: str) -> list[PageForm]:
    parser = _FormParser()
    parser.feed(html)
    found = []
    skip = {reverse(name) for name in SKIP_FORM_ACTIONS}
    for attrs, fields in parser.forms:
        if attrs.get("method", "get").lower() != "post":
            continue
        action = urlsplit(urljoin(page_url, attrs.get("action") or page_url)).path
        if action in skip:
            continue
        found.append(PageForm(page=page_url, action=action, fields=fields))
    return found


PLAUSIBLE_TEXT = {
    "email": "someone@example.com", "url": "https://example.com/", "number": "1",
    "password": "a-Long-passw0rd-here", "tel": "+441234567890", "date": "2026-12-01",
}


def plausible_value(f: FormField) -> str | list[str] | None:
    """A value a person could have entered: the page's own value, else one that fits the type."""
    if f.kind in {"checkbox", "radio"}:
        return f.value or "on"
    if f.kind == "select":
        return next((o for o in f.options if o), f.options[0] if f.options else "")
    if f.kind == "select-multiple":
        return [o for o in f.options if o][:1]
    if f.value:
        return f.value
    if f.kind in PLAUSIBLE_TEXT:
        return PLAUSIBLE_TEXT[f.kind]
    if "email" in f.name:
        return PLAUSIBLE_TEXT["email"]
    if "website" in f.name or "url" in f.name:
        return PLAUSIBLE_TEXT["url"]
    if "password" in f.name:
        return PLAUSIBLE_TEXT["password"]
    return f"Sweep {f.name}"


def plausible_form_data(form: PageForm) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in form.fields:
        if f.kind in {"submit", "button", "image", "reset"} or f.name == "csrfmiddlewaretoken":
            continue
        value = plausible_value(f)
        if f.kind in {"checkbox", "radio"} and f.name in data:
            continue  # the first choice of a group
        data[f.name] = value
    return data


def route_url(route: Route, world: dict) -> str:
    return reverse(route.name, kwargs={k: OBJECT_KWARGS[k](world) for k in route.kwargs})


def swept_routes() -> list[Route]:
    """Every named route except sign-out (which would end the sweep's session)."""
    return [r for r in all_routes() if r.name != "accounts:logout"]


def is_public(route: Route) -> bool:
    return route.name in PUBLIC_ROUTES


# --- rows ----------------------------------------------------------------------------------------

def _counted_models():
    for model in apps.get_models():
        if model._meta.label_lower in BOOKKEEPING_MODELS or model._meta.proxy:
            continue
        if model._meta.app_label in {"admin", "contenttypes", "auth"}:
            continue
        yield model


def row_counts() -> dict[str, int]:
    """Rows per table (every app's models, bookkeeping aside), across all agencies."""
    counts = {}
    for model in _counted_models():
        manager = model._default_manager
        qs = manager.unscoped() if hasattr(manager, "unscoped") else manager.all()
        counts[model._meta.label_lower] = qs.count()
    return counts


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {k: (before.get(k, 0), v) for k, v in after.items() if before.get(k, 0) != v}


# --- the API, from its schema ------------------------------------------------------------------

@dataclass
class ApiOperation:
    path: str  # OpenAPI path, e.g. /api/v1/clients/{client_id}/
    method: str
    params: list[str]
    body: dict | None  # resolved JSON schema of the request body, if any

    def url(self, world: dict) -> str:
        url = self.path
        for name in self.params:
            url = url.replace("{" + name + "}", str(OBJECT_KWARGS[name](world)))
        return url


def api_operations() -> list[ApiOperation]:
    """Every operation of the OpenAPI schema, with its request body schema resolved."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})

    def resolve(node, depth=0):
        if depth > 8:
            return {}
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(components[node["$ref"].rsplit("/", 1)[-1]], depth + 1)
            return {k: resolve(v, depth + 1) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v, depth + 1) for v in node]
        return node

    ops = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            params = [p["name"] for p in op.get("parameters", []) if p.get("in") == "path"]
            body = None
            content = (op.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                body = resolve(content["application/json"].get("schema", {}))
            ops.append(ApiOperation(path=path, method=method, params=params, body=body))
    return ops


def plausible_json(schema: dict, world: dict, name: str = "") -> Any:
    """A value a well-behaved client could send for this schema."""
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object" or "properties" in schema:
        return {k: plausible_json(v, world, k) for k, v in schema.get("properties", {}).items()
                if not v.get("readOnly")}
    if kind == "array":
        return [plausible_json(schema.get("items", {}), world, name)]
    if kind == "integer":
        return OBJECT_KWARGS[name](world) if name in OBJECT_KWARGS else 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    fmt = schema.get("format")
    if fmt == "email":
        return "someone@example.com"
    if fmt == "uri":
        return "https://example.com/"
    if fmt == "date-time":
        return "2026-12-01T10:00:00Z"
    if fmt == "date":
        return "2026-12-01"
    if "pattern" in schema and schema["pattern"] in {"^\\d+$", "^[0-9]+$"}:
        return "123"
    return f"Sweep {name}"


def leaf_paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Paths to every field of a JSON body (into the first item of lists)."""
    if isinstance(value, dict):
        paths = []
        for k, v in value.items():
            paths.append((*prefix, k))
            paths.extend(leaf_paths(v, (*prefix, k)))
        return paths
    if isinstance(value, list) and value:
        return leaf_paths(value[0], (*prefix, 0))
    return []


def with_value(body: Any, path: tuple, value: Any) -> Any:
    copy = json.loads(json.dumps(body))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return copy
