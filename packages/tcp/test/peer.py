"""A TCP peer that is not our code, for tests: Python's own socket and asyncio.

  peer.py server       asyncio server on 127.0.0.1:0; prints its port; answers each line upper-cased;
                       at end of stream replies "BYE\n" and closes. Exits after one connection.
  peer.py client PORT  socket client: sends 100 000 bytes in bursts, half-closes, reads the echo
                       to the end, prints "OK <bytes>" if it matches, else "MISMATCH ...".
"""
import asyncio
import hashlib
import socket
import sys


async def serve() -> None:
    done = asyncio.get_running_loop().create_future()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            line = await reader.readline()
            if not line:
                break
            writer.write(line.upper())
            await writer.drain()
        writer.write(b"BYE\n")
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        done.set_result(None)

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await asyncio.wait_for(done, timeout=30)


def client(port: int) -> None:
    payload = bytes((i * 7 + 3) % 251 for i in range(100_000))
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        for offset in range(0, len(payload), 7_919):
            sock.sendall(payload[offset : offset + 7_919])
        sock.shutdown(socket.SHUT_WR)
        received = bytearray()
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    if hashlib.sha256(received).digest() == hashlib.sha256(payload).digest():
        print(f"OK {len(received)}", flush=True)
    else:
        print(f"MISMATCH {len(received)}", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        asyncio.run(serve())
    else:
        client(int(sys.argv[2]))
