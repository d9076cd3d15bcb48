"""Real servers for the runtime tests: the production gunicorn set-up, and a
throw-away PostgreSQL and Redis; and real visitors for them (HTTP requests, form
posts, requests sent at the same instant). Servers listen on 127.0.0.1 only and
are always stopped."""

import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from django.core import signing
from prometheus_client.parser import text_string_to_metric_families

from events.tests.helpers import require_executable, skip_or_fail

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))

# The variables a test process gets from the test only, whatever the developer's shell says.
_SITE_VARIABLES = [
    "DATABASE_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CACHE_URL",
    "EMAIL_URL",
    "BASIC_AUTH_USERNAME",
    "BASIC_AUTH_PASSWORD",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "SECURE_SSL",
    "PROMETHEUS_MULTIPROC_DIR",
    "WEB_CONCURRENCY",
    "HOST",
    "PORT",
    "METRICS_PORT",
    # Set for the browser tests' process; never in production (check --deploy refuses it).
    "DJANGO_ALLOW_ASYNC_UNSAFE",
]


def production_environment(**variables):
    """Environment variables of a production process; `variables` override them."""
    environment = {key: value for key, value in os.environ.items() if key not in _SITE_VARIABLES}
    environment.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="localhost,127.0.0.1",
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
        SECURE_SSL="false",
        CACHE_URL="locmemcache://",
    )
    environment.update(variables)
    return environment


def manage(*args, environment):
    """Run a management command; a failure's message carries what it printed."""
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        # A guard against a hung command: collectstatic compresses every file and
        # takes minutes on a busy machine.
        timeout=600,
    )
    if result.returncode:
        raise subprocess.CalledProcessError(
            result.returncode, result.args, result.stdout, result.stderr
        ) from AssertionError(f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url, headers=None, timeout=5):
    """(status, headers, body as text) of a GET; HTTP errors are answers too."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode(errors="replace")


def send(method, url, *, body=None, headers=None, timeout=10):
    """(status, headers, body as text) of any request; a dict body is sent as JSON."""
    headers = dict(headers or {})
    if isinstance(body, dict):
        body = json.dumps(body)
        headers.setdefault("Content-Type", "application/json")
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode(errors="replace")


def concurrently(*calls):
    """Run the calls in threads released at the same instant; their results, in order."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


# A CSRF cookie and token that a visitor made up, which Django accepts.
_CSRF_SECRET = "c" * 32


def post_form(url, fields, *, headers=None, timeout=10):
    """A browser's form POST (CSRF cookie and token included)."""
    return send(
        "POST",
        url,
        body=urlencode({"csrfmiddlewaretoken": _CSRF_SECRET, **fields}),
        headers={
            "Cookie": f"csrftoken={_CSRF_SECRET}",
            "Content-Type": "application/x-www-form-urlencoded",
            **(headers or {}),
        },
        timeout=timeout,
    )


def signed_form_time(secret_key, seconds_ago=60):
    """The submission form's signed rendered_at, as a page shown a while ago holds it."""
    signer = signing.TimestampSigner(key=secret_key, salt="events.submission-form")
    return signer.sign(str(int(time.time()) - seconds_ago))


def wait_for(predicate, *, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"gave up after {seconds} s waiting for {what}")


def metric_value(metrics_text, sample_name, **labels):
    """The value of one sample of a Prometheus text page (0 when absent)."""
    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            if sample.name == sample_name and all(
                sample.labels.get(key) == value for key, value in labels.items()
            ):
                return sample.value
    return 0


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py encontros.wsgi`, as the Docker image runs it."""

    def __init__(self, environment, *, workers, port=None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.metrics_port = free_port()
        self.metrics_url = f"http://127.0.0.1:{self.metrics_port}"
        self.log = tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log")
        self.process = subprocess.Popen(
            [GUNICORN, "-c", "gunicorn.conf.py", "encontros.wsgi"],
            cwd=BASE_DIR,
            env={
                **environment,
                "HOST": "127.0.0.1",
                "PORT": str(self.port),
                "METRICS_PORT": str(self.metrics_port),
                "WEB_CONCURRENCY": str(workers),
            },
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_for(self._answers, seconds=30, what=f"gunicorn on port {self.port}")

    def _answers(self):
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited early:\n{self.output()}")
        try:
            return get(f"{self.url}/health", timeout=1)[0] == 200
        except OSError:
            return False

    def get(self, path, **kwargs):
        return get(f"{self.url}{path}", **kwargs)

    def send(self, method, path, **kwargs):
        return send(method, f"{self.url}{path}", **kwargs)

    def post_form(self, path, fields, **kwargs):
        return post_form(f"{self.url}{path}", fields, **kwargs)

    def metrics(self):
        """The text of /metrics on the metrics port (every worker's metrics)."""
        status, _headers, body = get(f"{self.metrics_url}/metrics")
        assert status == 200, body
        return body

    def output(self):
        return Path(self.log.name).read_text()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@contextmanager
def gunicorn(environment, *, workers=2):
    server = Gunicorn(environment, workers=workers)
    try:
        yield server
    finally:
        server.stop()


_NGINX_CONFIG = """
{user}
pid {directory}/nginx.pid;
error_log {directory}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    upstream site {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://site;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_connect_timeout 2s;
        }}
    }}
}}
"""


class NginxBalancer:
    """nginx (the Debian package) on 127.0.0.1, balancing over local ports as the
    load balancer does over pods. `balance(ports)` changes them the way a rolling
    update takes a pod out of service and back: nginx reloads, and requests
    already sent finish where they are."""

    def __init__(self, ports):
        nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
        if nginx is None:
            skip_or_fail("nginx is not installed (Debian package nginx-light)")
        self.directory = Path(tempfile.mkdtemp(prefix="encontros-nginx-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = self.directory / "nginx.conf"
        self._write(ports)
        self.process = subprocess.Popen(
            [nginx, "-p", str(self.directory), "-c", str(self.config), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: _accepts_connections(self.port), seconds=10, what=f"nginx on {self.port}")

    def _write(self, ports):
        self.config.write_text(
            _NGINX_CONFIG.format(
                # As root, workers would run as nobody, who cannot read this directory.
                user="user root;" if os.geteuid() == 0 else "",
                directory=self.directory,
                port=self.port,
                servers="\n".join(f"        server 127.0.0.1:{port};" for port in ports),
            )
        )

    def balance(self, ports):
        self._write(ports)
        self.process.send_signal(signal.SIGHUP)
        # Generous: the new nginx workers start, the old ones finish what they sent.
        time.sleep(2)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.directory, ignore_errors=True)


@contextmanager
def nginx_balancer(ports):
    balancer = NginxBalancer(ports)
    try:
        yield balancer
    finally:
        balancer.stop()


class SlowUpload:
    """A visitor on a slow connection: a form POST whose body arrives in two parts.

    Until `finish()`, the gunicorn worker that accepted it is busy reading the
    body (Django's CSRF check reads the form), like a real in-flight request.
    The form switches the language, which needs no database and no rate limit.
    """

    def __init__(self, port):
        csrf_secret = "s" * 32  # a CSRF cookie and token the visitor made up, which Django accepts
        self.body = f"csrfmiddlewaretoken={csrf_secret}&language=en&next=/".encode()
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=60)
        headers = (
            "POST /i18n/setlang/ HTTP/1.1\r\n"
            "Host: 127.0.0.1\r\n"
            f"Cookie: csrftoken={csrf_secret}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(self.body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        self.socket.sendall(headers.encode() + self.body[:10])

    def finish(self):
        """Send the rest of the body; return the status line of the answer."""
        self.socket.sendall(self.body[10:])
        answer = b""
        while chunk := self.socket.recv(65536):
            answer += chunk
        self.socket.close()
        return answer.split(b"\r\n", 1)[0].decode()


def _postgres_tool(name):
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        skip_or_fail(f"the PostgreSQL server programs ({name}) are not installed")
    return found


class ThrowawayPostgres:
    """A PostgreSQL server of the test's own, in a temporary directory, that the
    test may stop and start (the machine's shared server is never touched)."""

    def __init__(self):
        self.initdb = _postgres_tool("initdb")
        self.pg_ctl = _postgres_tool("pg_ctl")
        self.port = free_port()
        # The server programs refuse to run as root: run them as the postgres user then.
        self.user = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        self.directory = Path(tempfile.mkdtemp(prefix="encontros-pg-"))
        if self.user:
            os.chown(self.directory, self.user.pw_uid, self.user.pw_gid)
        self.data = self.directory / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def create(self):
        self._run(self.initdb, "--auth=trust", "--username=postgres", "-D", str(self.data))

    def _run(self, *command):
        if self.user:
            command = ("runuser", "-u", "postgres", "--", *command)
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self):
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        self._run(self.pg_ctl, "start", "-w", "-D", str(self.data), "-o", options,
                  "-l", str(self.directory / "server.log"))  # fmt: skip

    def stop(self):
        self._run(self.pg_ctl, "stop", "-w", "-m", "fast", "-D", str(self.data))

    @contextmanager
    def hung(self):
        """The server keeps its connections open but answers nothing (SIGSTOP on
        every one of its processes), as a database host that froze would."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(
            ["pgrep", "-P", str(postmaster)], capture_output=True, text=True
        ).stdout.split()
        pids = [postmaster, *map(int, children)]
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for pid in pids:
                os.kill(pid, signal.SIGCONT)

    def remove(self):
        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


@contextmanager
def throwaway_postgres():
    server = ThrowawayPostgres()
    try:
        server.create()
        server.start()
        yield server
    finally:
        server.remove()


class ThrowawayRedis:
    """A Redis server of the test's own, in memory only, that the test may stop,
    start again (on the same port, empty) or freeze (it accepts connections but
    never answers, like a hung server)."""

    def __init__(self):
        self.redis_server = require_executable("redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [self.redis_server, "--bind", "127.0.0.1", "--port", str(self.port),
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(
            lambda: _accepts_connections(self.port), seconds=10, what=f"redis on port {self.port}"
        )

    def stop(self):
        if self.process and self.process.poll() is None:
            self.thaw()
            self.process.terminate()
            self.process.wait(timeout=10)

    def freeze(self):
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.process.send_signal(signal.SIGCONT)


@contextmanager
def throwaway_redis_server():
    """A started ThrowawayRedis, always stopped at the end."""
    server = ThrowawayRedis()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@contextmanager
def throwaway_redis():
    """A Redis server of the test's own, in memory only; yields its URL."""
    with throwaway_redis_server() as server:
        yield server.url


def _accepts_connections(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False
