"""A TCP forwarder between tui-crm and the real PostgreSQL server, that a test can break the way a
network or a restarting server does: ``cut()`` ends every connection now, ``down()`` refuses new
ones (they are accepted and closed, as a server that is starting up), ``up()`` accepts again, and
``on_commit`` cuts a connection at its next COMMIT, before the server gets it ("before") or after
the server answered it, dropping the answer ("after")."""
from __future__ import annotations

import socket
import threading

COMMIT = b"Q\x00\x00\x00\x0bCOMMIT\x00"  # the simple-query message psycopg2 sends for COMMIT


class _Pair:
    def __init__(self, client: socket.socket, server: socket.socket):
        self.client, self.server = client, server
        self.mute = False  # the server's next answer is dropped and the connection cut
        self.closed = False

    def close(self) -> None:
        self.closed = True
        for s in (self.client, self.server):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


class Proxy:
    def __init__(self, target: tuple[str, int] = ("127.0.0.1", 5432)):
        self.target = target
        self._listen = socket.create_server(("127.0.0.1", 0))
        self.port = self._listen.getsockname()[1]
        self._pairs: list[_Pair] = []
        self._lock = threading.Lock()
        self._down = False
        self.on_commit: str | None = None  # "before" / "after": cut the next connection that commits
        self.commits_cut = 0
        self.accepted = 0  # connections forwarded
        self.refused = 0  # connections closed at once while down
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, base: str) -> str:
        """``base`` (a postgresql:// URL on the real server) through this proxy, without TLS."""
        host = f"{self.target[0]}:{self.target[1]}"
        url = base.replace(host, f"127.0.0.1:{self.port}", 1)
        return url + ("&" if "?" in url else "?") + "sslmode=disable"

    def server_ports(self) -> list[int]:
        """The local ports of the proxy's connections to the server (pg_stat_activity.client_port)."""
        with self._lock:
            return [p.server.getsockname()[1] for p in self._pairs if not p.closed]

    # ------------------------------------------------------------ faults
    def cut(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for p in pairs:
            p.close()

    def down(self) -> None:
        self._down = True
        self.cut()

    def up(self) -> None:
        self._down = False

    def close(self) -> None:
        self.down()
        self._listen.close()

    # ------------------------------------------------------------ forwarding
    def _accept(self) -> None:
        while True:
            try:
                client, _addr = self._listen.accept()
            except OSError:
                return
            if self._down:
                client.close()
                self.refused += 1
                continue
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            pair = _Pair(client, server)
            with self._lock:
                self._pairs.append(pair)
                self.accepted += 1
            threading.Thread(target=self._upstream, args=(pair,), daemon=True).start()
            threading.Thread(target=self._downstream, args=(pair,), daemon=True).start()

    def _upstream(self, pair: _Pair) -> None:
        try:
            while (data := pair.client.recv(65536)):
                if self.on_commit and COMMIT in data:
                    mode, self.on_commit = self.on_commit, None
                    self.commits_cut += 1
                    if mode == "before":
                        pair.close()
                        return
                    pair.mute = True
                pair.server.sendall(data)
        except OSError:
            pass
        pair.close()

    def _downstream(self, pair: _Pair) -> None:
        try:
            while (data := pair.server.recv(65536)):
                if pair.mute:
                    break
                pair.client.sendall(data)
        except OSError:
            pass
        pair.close()
