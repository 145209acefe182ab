"""A scripted stand-in for the Docker engine on a unix socket (or TCP, with
optional TLS), to provoke what a real engine rarely does: dying mid-stream,
hanging, odd versions."""
import http.server
import json
import os
import socketserver
import threading


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    allow_reuse_address = True


class _TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


class FakeEngine:
    """routes: {(method, path_without_version): fn(handler) } ; ping_version: Api-Version or None;
    ping_headers: more headers of the /_ping answer (Podman's Libpod-Api-Version)."""

    def __init__(self, sock_path, ping_version="1.41", version_json=None, tcp=False, ssl_context=None,
                 ping_headers=None):
        self.sock_path = sock_path
        self.ping_version = ping_version
        self.ping_headers = ping_headers or {}
        self.version_json = version_json
        self.routes = {}
        self.requests = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def address_string(self):
                return "unix"

            def _dispatch(self):
                path = self.path.split("?", 1)[0]
                fake.requests.append((self.command, self.path, dict(self.headers)))
                if path == "/_ping":
                    self.send_response(200)
                    if fake.ping_version:
                        self.send_header("Api-Version", fake.ping_version)
                    for k, v in fake.ping_headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"OK")
                    return
                bare = path
                if bare.startswith("/v") and "/" in bare[1:]:
                    bare = "/" + bare.split("/", 2)[2]
                if bare == "/version" and fake.version_json is not None:
                    return fake.send_json(self, 200, fake.version_json)
                fn = fake.routes.get((self.command, bare))
                if fn is None:
                    return fake.send_json(self, 404, {"message": f"page not found: {bare}"})
                body = b""
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    body = fake.read_chunked(self.rfile)
                elif self.headers.get("Content-Length"):
                    body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.requests[-1] = (self.command, self.path, dict(self.headers), body)
                fn(self)

            do_GET = do_POST = do_DELETE = _dispatch

        if tcp:
            self.server = _TCPServer(("127.0.0.1", 0), Handler)
            self.port = self.server.server_address[1]
            if ssl_context is not None:
                self.server.socket = ssl_context.wrap_socket(self.server.socket, server_side=True)
        else:
            self.server = _Server(sock_path, Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @staticmethod
    def read_chunked(rfile):
        out = b""
        while True:
            size = int(rfile.readline().strip(), 16)
            if size == 0:
                rfile.readline()
                return out
            out += rfile.read(size)
            rfile.readline()

    @staticmethod
    def send_json(h, status, obj):
        data = json.dumps(obj).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        if self.sock_path and os.path.exists(self.sock_path):
            os.unlink(self.sock_path)
