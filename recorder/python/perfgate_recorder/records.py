"""One request -> one perfgate workload line (format v1) plus ``meta``; redaction as
``perfgate import`` does it: credential headers dropped, credential query/form/JSON values
replaced by REDACTED, every other byte left alone."""

import json
import re
from urllib.parse import unquote_plus

from .lists import CREDENTIAL_HEADERS, CREDENTIAL_PARAMS, DROPPED_ON_IMPORT, REDACTED

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_HEX = re.compile(r"^(?:[0-9a-f]+|[0-9A-F]+)$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")
_WITH_EXT = re.compile(r"^(.+)\.([A-Za-z][A-Za-z0-9]{0,4})$")
_HEADER = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


class Policy:
    def __init__(self, headers=(), params=()):
        self.headers = set(CREDENTIAL_HEADERS) | {h.lower() for h in headers}
        self.params = set(CREDENTIAL_PARAMS) | {p.lower() for p in params}


def _switches(segment):
    n, last = 0, None
    for ch in segment:
        kind = "d" if ch.isdigit() else "l" if ch.isascii() and ch.isalpha() else None
        if kind is None:
            continue
        if last is not None and kind != last:
            n += 1
        last = kind
    return n


def is_id_segment(segment):
    """perfgate's isIdSegment (src/workload/endpoint.ts)."""
    if re.fullmatch(r"\d+", segment) or _UUID.match(segment):
        return True
    if _HEX.match(segment) and (len(segment) >= 16 or (len(segment) >= 7 and re.search(r"\d", segment))):
        return True
    return len(segment) >= 10 and bool(_TOKEN.match(segment)) and _switches(segment) >= 3


def normalise_path(pathname):
    collapsed = re.sub(r"/{2,}", "/", pathname)
    collapsed = collapsed[:-1] if collapsed.endswith("/") else collapsed
    return collapsed or "/"


def auto_endpoint_path(pathname):
    path = normalise_path(pathname)
    if path == "/":
        return path
    out = []
    for segment in path.split("/"):
        if segment and is_id_segment(segment):
            segment = ":id"
        elif segment:
            m = _WITH_EXT.match(segment)
            if m and is_id_segment(m.group(1)):
                segment = ":id." + m.group(2)
        out.append(segment)
    return "/".join(out)


def _redact_form(form, policy, counts, kind):
    pairs = []
    for pair in form.split("&"):
        eq = pair.find("=")
        if eq >= 0:
            name = unquote_plus(pair[:eq]).lower()
            if name in policy.params and pair[eq + 1:] != REDACTED:
                counts[kind + " " + name] = counts.get(kind + " " + name, 0) + 1
                pair = pair[:eq] + "=" + REDACTED
        pairs.append(pair)
    return "&".join(pairs)


def _redact_json(text, policy, counts):
    try:
        value = json.loads(text)
    except ValueError:
        return None
    changed = [False]

    def walk(node):
        if isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, dict):
            for key, v in list(node.items()):
                if key.lower() in policy.params and isinstance(v, (str, int, float)) and not isinstance(v, bool):
                    if v != REDACTED:
                        node[key] = REDACTED
                        counts["body " + key.lower()] = counts.get("body " + key.lower(), 0) + 1
                        changed[0] = True
                else:
                    walk(v)

    walk(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False) if changed[0] else None


def clean_headers(pairs):
    out, names = {}, {}
    for name, value in pairs:
        lower = name.lower()
        if lower in DROPPED_ON_IMPORT or not _HEADER.match(name) or re.search(r"[\r\n\0]", value):
            continue
        if lower in names:
            sep = "; " if lower == "cookie" else ", "
            out[names[lower]] += sep + value
        else:
            names[lower] = name
            out[name] = value
    return out


def redact(record, policy, counts):
    """Redacts a record dict {method, url, headers, body(bytes)} in place."""
    kept = {}
    for name, value in record["headers"].items():
        if name.lower() in policy.headers:
            key = "header " + name.lower()
            counts[key] = counts.get(key, 0) + 1
        else:
            kept[name] = value
    record["headers"] = kept
    url = record["url"]
    if "?" in url:
        path, query = url.split("?", 1)
        redacted = _redact_form(query, policy, counts, "query")
        if redacted != query:
            record["url"] = path + "?" + redacted
    body = record.get("body")
    if body:
        ctype = next((v.lower() for k, v in kept.items() if k.lower() == "content-type"), "")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return
        if "application/x-www-form-urlencoded" in ctype:
            redacted = _redact_form(text, policy, counts, "body")
            if redacted != text:
                record["body"] = redacted.encode("utf-8")
        elif "json" in ctype:
            redacted = _redact_json(text, policy, counts)
            if redacted is not None:
                record["body"] = redacted.encode("utf-8")


def record_line(record, meta):
    """The JSONL line (no newline): text bodies as strings, others as {"base64": ...}."""
    out = {"method": record["method"], "url": record["url"], "headers": record["headers"]}
    body = record.get("body")
    if body:
        try:
            out["body"] = body.decode("utf-8")
        except UnicodeDecodeError:
            import base64

            out["body"] = {"base64": base64.b64encode(body).decode("ascii")}
    if record.get("endpoint"):
        out["endpoint"] = record["endpoint"]
    weight = record.get("weight", 1)
    if weight != 1:
        out["weight"] = max(1, round(weight, 3))
    out["meta"] = meta
    return json.dumps(out, separators=(",", ":"), ensure_ascii=False)
