"""Camera URL validation, credential splitting and redaction (the one choke point for secrets in text)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qsl, quote, quote_plus, unquote, urlencode, urlsplit, urlunsplit

from nvr_desktop.core.errors import ValidationError

STREAM_SCHEMES = frozenset({"rtsp", "rtsps", "http", "https"})
MAX_URL_LENGTH = 2048
REDACTED = "***"
# Query keys cameras use to carry secrets in a URL (Dahua, XMEye, many MJPEG cameras).
SECRET_QUERY_KEYS = frozenset({"password", "passwd", "pwd", "pass", "token", "key", "auth"})
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>]+")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


@dataclass(frozen=True)
class StreamUrl:
    """A validated stream URL split into its credential-free form and the credentials it carried."""

    url: str
    username: str | None
    password: str | None


def _port_of(parts: SplitResult) -> int | None:
    try:
        return parts.port
    except ValueError:
        raise ValidationError(f"invalid port in URL {redact_url(parts.geturl())}") from None


def parse_stream_url(text: str, *, schemes: Iterable[str] = STREAM_SCHEMES) -> StreamUrl:
    """Validate a camera URL and split the credentials out of it, or raise ValidationError."""
    allowed = frozenset(schemes)
    url = text.strip()
    if not url:
        raise ValidationError("the stream URL is empty")
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError(f"the stream URL is longer than {MAX_URL_LENGTH} characters")
    if url.startswith("-"):
        raise ValidationError("a stream URL cannot start with '-'")
    if _CONTROL.search(url):
        raise ValidationError("the stream URL contains spaces or control characters")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in allowed:
        shown = ", ".join(sorted(allowed))
        raise ValidationError(f"unsupported URL scheme {scheme + ':' if scheme else '(none)'}; use one of {shown}")
    if not parts.hostname:
        raise ValidationError(f"the stream URL has no host: {redact_url(url)}")
    port = _port_of(parts)
    if port == 0:
        raise ValidationError("the stream URL's port must be between 1 and 65535")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    return StreamUrl(url=strip_credentials(url), username=username, password=password)


def _netloc(parts: SplitResult, userinfo: str) -> str:
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = _port_of(parts)
    hostport = f"{host}:{port}" if port is not None else host
    return f"{userinfo}@{hostport}" if userinfo else hostport


def strip_credentials(url: str) -> str:
    """Return url without any user name or password in its authority part."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=_netloc(parts, "")))


def with_credentials(url: str, username: str | None, password: str | None) -> str:
    """Return url with percent-encoded credentials in it, for handing to the media layer only."""
    parts = urlsplit(strip_credentials(url))
    if not username:
        return urlunsplit(parts)
    userinfo = quote(username, safe="")
    if password is not None:
        userinfo += ":" + quote(password, safe="")
    return urlunsplit(parts._replace(netloc=_netloc(parts, userinfo)))


def redact_url(url: str) -> str:
    """Mask the password of a URL (authority and secret query keys): rtsp://user:***@host/path."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, hostport = netloc.rpartition("@")
            user = userinfo.split(":", 1)[0]
            netloc = f"{user}:{REDACTED}@{hostport}" if ":" in userinfo else f"{user}@{hostport}"
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            if any(k.lower() in SECRET_QUERY_KEYS for k, _ in pairs):
                masked = [(k, REDACTED if k.lower() in SECRET_QUERY_KEYS else v) for k, v in pairs]
                query = urlencode(masked, safe="*")
        return urlunsplit(parts._replace(netloc=netloc, query=query))
    except ValueError:
        # Unparseable: keep only the scheme, since anything after it may hold a secret.
        scheme = url.split("://", 1)[0]
        return f"{scheme}://{REDACTED}"


class SecretRegistry:
    """Secrets known to this process (camera passwords), masked wherever text is redacted."""

    #: Shorter secrets are not masked as bare words: that would garble every log line.
    MIN_LENGTH = 4

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._forms: set[str] = set()

    def add(self, secret: str | None) -> None:
        """Remember a secret and its URL-encoded forms."""
        if not secret or len(secret) < self.MIN_LENGTH:
            return
        with self._lock:
            self._forms.update({secret, quote(secret, safe=""), quote_plus(secret), quote(secret)})

    def forms(self) -> list[str]:
        """All known forms, longest first so a longer form is masked before its parts."""
        with self._lock:
            return sorted(self._forms, key=len, reverse=True)


def redact_text(text: str, registry: SecretRegistry | None = None) -> str:
    """Mask every URL password in free text and every known secret in any encoding."""
    out = _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)
    if registry is not None:
        for form in registry.forms():
            if form in out:
                out = out.replace(form, REDACTED)
    return out
