#!/usr/bin/env python3
"""Time to first byte for a client that opens a new connection per request, on an HTTPS upstream.

    ttfb_new_connection.py --relay-port P --tls-port T --ca CA.pem [--requests N]

Alternates two paths, N requests each, every request on a fresh connection: through the relay (plain HTTP to it;
the relay keeps its upstream TLS connections pooled and warm) and straight to the HTTPS upstream (a TCP and TLS
handshake every time). TTFB = connect() called -> the first streamed delta read. Prints one JSON object.
"""
import argparse
import json
import socket
import ssl
import statistics
import time

BODY = json.dumps({"model": "sonar", "stream": True,
                   "messages": [{"role": "user", "content": "bench:c=2:i=0 ttfb"}]}).encode()


def request(path: str) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer bench-key\r\nContent-Length: {len(BODY)}\r\nConnection: close\r\n\r\n").encode() + BODY


def ttfb(port: int, path: str, context: ssl.SSLContext | None) -> float:
    start = time.perf_counter()
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn = context.wrap_socket(raw, server_hostname="127.0.0.1") if context else raw
    try:
        conn.sendall(request(path))
        seen = b""
        while b'"content":"@T' not in seen:
            part = conn.recv(65536)
            if not part:
                raise RuntimeError(f"connection closed before the first delta: {seen[:200]!r}")
            seen += part
        return (time.perf_counter() - start) * 1e6
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--relay-port", type=int, required=True)
    parser.add_argument("--tls-port", type=int, required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    context = ssl.create_default_context(cafile=args.ca)
    relay, direct = [], []
    for _ in range(3):  # warm-up: the relay's pool, the interpreter
        ttfb(args.relay_port, "/v1/chat/completions", None)
        ttfb(args.tls_port, "/chat/completions", context)
    for _ in range(args.requests):
        relay.append(ttfb(args.relay_port, "/v1/chat/completions", None))
        direct.append(ttfb(args.tls_port, "/chat/completions", context))

    def pct(values, q):
        values = sorted(values)
        return values[min(len(values) - 1, int(q * len(values)))]

    print(json.dumps({"mode": "ttfb-newconn", "requests": args.requests,
                      "relay_us": {"p50": statistics.median(relay), "p99": pct(relay, 0.99)},
                      "direct_tls_us": {"p50": statistics.median(direct), "p99": pct(direct, 0.99)},
                      "errors": 0}))


if __name__ == "__main__":
    main()
