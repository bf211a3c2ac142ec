"""A TLS peer that is not our code, for tests: Python's own ssl module (stdlib only).

  tls_peer.py server --cert F --key F [--client-ca F] [--max-version TLSv1_2] [--alpn P,Q] [--starttls]
      Listens on 127.0.0.1:0 and prints "PORT <n>"; serves one connection, then exits.
      --starttls: the connection starts plain; it reads the line "STARTTLS\\r\\n", answers
      "220 ready\\r\\n", then upgrades (wrap_socket(server_side=True)).
      --client-ca: a client certificate signed by F is required (mutual TLS).
      After the handshake prints "TLS <version> <cipher> <alpn or -> <peer CN or ->", then echoes
      every byte back until the client ends, then prints "CLOSED".

  tls_peer.py client --port N [--ca F] [--cert F --key F] [--servername S] [--max-version TLSv1_2]
                     [--alpn P,Q] [--starttls] [--payload TEXT]
      Connects to 127.0.0.1:N (--starttls: sends "STARTTLS\\r\\n", waits for "220 ready\\r\\n",
      then upgrades), prints "TLS <version> <cipher> <alpn or -> <peer CN or ->", sends
      TEXT + "\\n" at once, reads until a whole line came back and prints "GOT <line>", then closes.
      Without --ca the server's certificate is not checked.

Either side prints "FAILED <reason>" (and exits 0) when the handshake fails: the tests read the
reason, a traceback would only hide it. Every socket operation is bounded by --timeout seconds.
"""
import argparse
import socket
import ssl
import sys

STARTTLS = b"STARTTLS\r\n"
READY = b"220 ready\r\n"


def say(line: str) -> None:
    print(line, flush=True)


def read_exactly_line(sock: socket.socket, expected: bytes) -> bytes:
    """Reads one CRLF line a byte at a time, so no byte of the TLS handshake that follows is taken."""
    line = b""
    while not line.endswith(b"\r\n") and len(line) <= len(expected):
        byte = sock.recv(1)
        if not byte:
            break
        line += byte
    return line


def describe(tls: ssl.SSLSocket) -> str:
    cipher = tls.cipher()
    peer = tls.getpeercert()
    common_name = "-"
    if peer:
        for rdn in peer.get("subject", ()):
            for key, value in rdn:
                if key == "commonName":
                    common_name = value.replace(" ", "_")
    return f"TLS {tls.version()} {cipher[0] if cipher else '-'} {tls.selected_alpn_protocol() or '-'} {common_name}"


def limit(context: ssl.SSLContext, args: argparse.Namespace) -> None:
    if args.max_version:
        context.maximum_version = getattr(ssl.TLSVersion, args.max_version)
    if args.alpn:
        context.set_alpn_protocols(args.alpn.split(","))


def serve(args: argparse.Namespace) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(args.client_ca)
    limit(context, args)
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(args.timeout)
        say(f"PORT {server.getsockname()[1]}")
        plain, _ = server.accept()
        plain.settimeout(args.timeout)
        with plain:
            if args.starttls:
                line = read_exactly_line(plain, STARTTLS)
                if line != STARTTLS:
                    say(f"FAILED expected STARTTLS, got {line!r}")
                    return
                plain.sendall(READY)
            try:
                tls = context.wrap_socket(plain, server_side=True)
            except (ssl.SSLError, OSError) as error:
                say(f"FAILED {error}")
                return
            with tls:
                say(describe(tls))
                while True:
                    try:
                        data = tls.recv(65536)
                    except (ssl.SSLError, OSError) as error:
                        say(f"FAILED {error}")
                        return
                    if not data:
                        break
                    tls.sendall(data)
                say("CLOSED")


def dial(args: argparse.Namespace) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if args.ca:
        context.load_verify_locations(args.ca)
    else:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if args.cert:
        context.load_cert_chain(args.cert, args.key)
    limit(context, args)
    with socket.create_connection(("127.0.0.1", args.port), timeout=args.timeout) as plain:
        if args.starttls:
            plain.sendall(STARTTLS)
            line = read_exactly_line(plain, READY)
            if line != READY:
                say(f"FAILED expected 220 ready, got {line!r}")
                return
        try:
            tls = context.wrap_socket(plain, server_hostname=args.servername)
        except (ssl.SSLError, OSError) as error:
            say(f"FAILED {error}")
            return
        with tls:
            say(describe(tls))
            received = b""
            try:
                # The payload goes out right after the handshake, in the same breath: a STARTTLS
                # server must not lose it. Under TLS 1.3 a refused client certificate shows up
                # here, as the server's alert, not in the handshake.
                tls.sendall(args.payload.encode() + b"\n")
                while not received.endswith(b"\n"):
                    chunk = tls.recv(65536)
                    if not chunk:
                        break
                    received += chunk
            except (ssl.SSLError, OSError) as error:
                say(f"FAILED {error}")
                return
            say(f"GOT {received.decode(errors='replace').rstrip()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["server", "client"])
    parser.add_argument("--port", type=int)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--ca")
    parser.add_argument("--client-ca")
    parser.add_argument("--servername", default="localhost")
    parser.add_argument("--max-version", choices=["TLSv1_2", "TLSv1_3"])
    parser.add_argument("--alpn")
    parser.add_argument("--starttls", action="store_true")
    parser.add_argument("--payload", default="hello over tls")
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()
    if args.role == "server":
        serve(args)
    else:
        dial(args)


if __name__ == "__main__":
    sys.exit(main())
