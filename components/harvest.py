"""Fetching a publiccode.yml (or an organisation's list of repositories) from the internet,
safely: the only module of the library that opens connections to other servers.

- Schemes: http and https (a raw file, a list), and for a repository also git. Nothing else
  (no file://, ssh, ext::): git is told so with GIT_ALLOW_PROTOCOL as well.
- Addresses: every host name is resolved first and refused if any address it has is private,
  loopback, link-local, reserved or multicast, unless the host (or the address, or a network
  holding it) is in settings.HARVEST_ALLOWED_HOSTS (tests use it for their local servers). An
  HTTP connection then goes to the address that was checked, not to a second look-up; each
  redirect (at most 5) is checked the same way; git is not allowed to follow redirects.
- Size and time: at most 100 KB is read (a file, or the repository's publiccode.yml blob), and
  each fetch stops after settings.HARVEST_TIMEOUT seconds in all, however slowly the server
  trickles. A repository is cloned shallow (depth 1, one branch, no checkout, no submodules,
  no tags) into a temporary directory that is removed afterwards.
"""

import http.client
import ipaddress
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from components.publiccode import MAX_BYTES

MAX_REDIRECTS = 5
FILE_NAMES = ("publiccode.yml", "publiccode.yaml")
USER_AGENT = "institute-catalogue-harvester/1 (+publiccode.yml)"


class FetchError(Exception):
    """Why a fetch failed, in words for the source's owner."""


def _allowed(host: str, address) -> bool:
    for entry in getattr(settings, "HARVEST_ALLOWED_HOSTS", ()):
        if entry.lower() == host.lower():
            return True
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _public(address) -> bool:
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


def check_url(url: str, *, schemes=("http", "https")) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL that may be fetched, having resolved the host; FetchError
    otherwise. Returns the first checked address as `host` for the connection to use."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        raise FetchError(
            "Only addresses starting with " + ", ".join(f"{s}://" for s in schemes) + " are fetched"
        )
    if parts.username or parts.password:
        raise FetchError("Addresses with a user name or password are not fetched")
    host = parts.hostname or ""
    if not host:
        raise FetchError("The address has no host name")
    try:
        port = parts.port or {"http": 80, "https": 443, "git": 9418}[scheme]
    except ValueError:
        raise FetchError("The address has an invalid port") from None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError(f"The host name {host} could not be found") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for address in addresses:
        if not _public(address) and not _allowed(host, address):
            raise FetchError(
                f"{host} is a private or local address ({address}); only public addresses "
                "are fetched"
            )
    return scheme, str(addresses[0]), port


class _Connection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the host name resolves to now."""

    def __init__(self, host, address, port, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _SecureConnection(_Connection):
    def connect(self):
        super().connect()
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)


def http_get(url: str, *, timeout: float | None = None, limit: int = MAX_BYTES) -> bytes:
    """The body of a GET of `url` (http or https), at most `limit` bytes, within `timeout`
    seconds in all, following at most 5 redirects, each checked; FetchError otherwise."""
    timeout = timeout or settings.HARVEST_TIMEOUT
    deadline = time.monotonic() + timeout
    for _ in range(MAX_REDIRECTS + 1):
        scheme, address, port = check_url(url)
        parts = urlsplit(url)
        kind = _SecureConnection if scheme == "https" else _Connection
        connection = kind(parts.hostname, address, port, timeout=max(0.1, _left(deadline)))
        try:
            path = parts.path or "/"
            if parts.query:
                path += "?" + parts.query
            connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
            sock = connection.sock  # the response may take it from the connection
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location") or ""
                if not location:
                    raise FetchError(f"The server redirected (HTTP {response.status}) to nowhere")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchError(f"The server answered HTTP {response.status}")
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise FetchError(f"The file is larger than {limit // 1024} KB")
            return _read(response, sock, deadline, limit)
        except TimeoutError:
            raise FetchError(f"The server took longer than {timeout:g} seconds") from None
        except (OSError, http.client.HTTPException) as error:
            raise FetchError(f"The server could not be reached: {error}") from None
        finally:
            connection.close()
    raise FetchError(f"The server redirected more than {MAX_REDIRECTS} times")


def _left(deadline: float) -> float:
    return deadline - time.monotonic()


def _read(response, sock, deadline: float, limit: int) -> bytes:
    body = b""
    while True:
        left = _left(deadline)
        if left <= 0:
            raise TimeoutError
        sock.settimeout(left)
        chunk = response.read1(16 * 1024)
        if not chunk:
            return body
        body += chunk
        if len(body) > limit:
            raise FetchError(f"The file is larger than {limit // 1024} KB")


def _git(args, *, cwd, env, deadline, timeout):
    """Run git, killing it and everything it started when the time is up."""
    left = _left(deadline)
    if left <= 0:
        raise FetchError(f"The repository took longer than {timeout:g} seconds")
    process = subprocess.Popen(  # noqa: S603 (fixed git arguments; the URL is checked, after --)
        ["git", *args],  # noqa: S607 (git from PATH, as the deployment installs it)
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=left)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise FetchError(f"The repository took longer than {timeout:g} seconds") from None
    return process.returncode, out, err.decode("utf-8", "replace").strip()


def git_get(url: str, *, timeout: float | None = None) -> bytes:
    """The publiccode.yml at the top of a repository's default branch: a shallow clone with no
    checkout, submodules or tags, then the file's blob if it is at most 100 KB."""
    timeout = timeout or settings.HARVEST_TIMEOUT
    deadline = time.monotonic() + timeout
    check_url(url, schemes=("http", "https", "git"))
    workdir = tempfile.mkdtemp(prefix="harvest-")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": workdir,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ALLOW_PROTOCOL": "http:https:git",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_ASKPASS": "/bin/false",
    }
    try:
        code, _, err = _git(
            [
                "-c", "http.followRedirects=false",
                "-c", "protocol.file.allow=never",
                "-c", "core.askPass=/bin/false",
                "clone", "--quiet", "--bare", "--depth=1", "--single-branch", "--no-tags",
                "--no-recurse-submodules", "--", url, "repo.git",
            ],
            cwd=workdir, env=env, deadline=deadline, timeout=timeout,
        )  # fmt: skip
        if code != 0:
            last = err.splitlines()[-1] if err else f"git exited with {code}"
            raise FetchError(f"The repository could not be cloned: {last[:300]}")
        repo = os.path.join(workdir, "repo.git")
        for name in FILE_NAMES:
            code, out, _ = _git(
                ["cat-file", "-s", f"HEAD:{name}"],
                cwd=repo, env=env, deadline=deadline, timeout=timeout,
            )  # fmt: skip
            if code == 0:
                break
        else:
            raise FetchError("The repository has no publiccode.yml at its top level")
        if int(out.strip() or 0) > MAX_BYTES:
            raise FetchError(f"The file is larger than {MAX_BYTES // 1024} KB")
        code, out, err = _git(
            ["cat-file", "blob", f"HEAD:{name}"],
            cwd=repo, env=env, deadline=deadline, timeout=timeout,
        )  # fmt: skip
        if code != 0:
            raise FetchError(f"The file could not be read: {err[:300]}")
        return out
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def is_file_url(url: str) -> bool:
    """A raw file (fetched over HTTP) rather than a repository (cloned with git)."""
    path = urlsplit(url).path.lower()
    return urlsplit(url).scheme in ("http", "https") and path.endswith((".yml", ".yaml"))


def fetch_publiccode(url: str) -> bytes:
    """The bytes of a source's publiccode.yml: a raw file by HTTP, a repository by git."""
    return http_get(url) if is_file_url(url) else git_get(url)
