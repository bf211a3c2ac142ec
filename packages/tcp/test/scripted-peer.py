"""A raw TCP peer that a test drives line by line: inside a test host's network namespace, or on loopback.

Each command on stdin gets one reply line on stdout. The peer holds one connection at a time.

  listen HOST PORT [BACKLOG]                                -> "listening PORT"
                     bind and listen (default backlog 16; 0 makes the kernel drop SYNs once one
                     connection waits in the accept queue: a blackhole on loopback)
  accept             wait for a connection (5 s at most)    -> "accepted HOST PORT"
  connect HOST PORT  connect (5 s at most)                  -> "connected LOCALPORT"
  send TEXT          send TEXT's bytes                      -> "sent N"
  recv N             read N bytes (5 s at most)             -> "received TEXT" or "eof"
  echo               echo everything in a background thread -> "echoing"
  close              close the connection                   -> "closed"

Any failure replies "error NAME" (the exception's class or errno name). The peer exits when
stdin closes, so it never outlives the test that spawned it.
"""
import errno
import socket
import sys
import threading

TIMEOUT = 5.0


def failure(error: BaseException) -> str:
    if isinstance(error, OSError) and error.errno is not None:
        return f"error {errno.errorcode.get(error.errno, error.errno)}"
    return f"error {type(error).__name__}"


def echo(conn: socket.socket) -> None:
    try:
        conn.settimeout(None)
        while True:
            data = conn.recv(65536)
            if not data:
                return
            conn.sendall(data)
    except OSError:
        return


def main() -> None:
    server = None
    conn = None
    for line in sys.stdin:
        command, _, rest = line.rstrip("\n").partition(" ")
        try:
            if command == "listen":
                host, port, *backlog = rest.split(" ")
                server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                server.bind((host, int(port)))
                server.listen(int(backlog[0]) if backlog else 16)
                reply = f"listening {server.getsockname()[1]}"
            elif command == "accept":
                assert server is not None, "listen first"
                server.settimeout(TIMEOUT)
                conn, address = server.accept()
                reply = f"accepted {address[0]} {address[1]}"
            elif command == "connect":
                host, port = rest.split(" ")
                conn = socket.create_connection((host, int(port)), timeout=TIMEOUT)
                reply = f"connected {conn.getsockname()[1]}"
            elif command == "send":
                assert conn is not None, "connect or accept first"
                conn.sendall(rest.encode())
                reply = f"sent {len(rest.encode())}"
            elif command == "recv":
                assert conn is not None, "connect or accept first"
                wanted = int(rest)
                conn.settimeout(TIMEOUT)
                data = b""
                while len(data) < wanted:
                    chunk = conn.recv(wanted - len(data))
                    if not chunk:
                        break
                    data += chunk
                reply = f"received {data.decode()}" if data else "eof"
            elif command == "echo":
                assert conn is not None, "connect or accept first"
                threading.Thread(target=echo, args=(conn,), daemon=True).start()
                reply = "echoing"
            elif command == "close":
                if conn is not None:
                    conn.close()
                    conn = None
                reply = "closed"
            else:
                reply = f"error unknown command {command}"
        except (OSError, AssertionError, ValueError) as error:
            reply = failure(error)
        print(reply, flush=True)


if __name__ == "__main__":
    main()
