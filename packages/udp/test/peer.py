"""A UDP peer written in Python (not our code), for the @sock/udp interoperability tests.

Usage:
  peer.py echo HOST            bind HOST port 0, print the port, echo every datagram to its sender;
                               a datagram "ttl?" is answered with "ttl=N", the TTL it arrived with
  peer.py group GROUP          bind 0.0.0.0 port 0, join the IPv4 multicast GROUP on 127.0.0.1, print
                               the port, and answer each datagram with "ttl=N" (as "ttl?" above)
  peer.py send HOST PORT MSG   send MSG to HOST:PORT from a socket bound to port 0, print the port,
                               then print each reply (one line per datagram) until "bye" arrives
The process exits when its stdin closes (the test's afterEach kills it anyway) or after 15 s.
"""
import socket
import sys
import threading
import os

IP_TTL = 2        # Linux <netinet/in.h>; Python does not export IP_RECVTTL
IP_RECVTTL = 12


def exit_when_stdin_closes():
    try:
        sys.stdin.read()
    finally:
        os._exit(0)


def main():
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    threading.Timer(15.0, lambda: os._exit(2)).start()
    mode, host = sys.argv[1], sys.argv[2]
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    if mode in ("echo", "group"):
        if mode == "group":
            sock.bind(("0.0.0.0", 0))
            membership = socket.inet_aton(host) + socket.inet_aton("127.0.0.1")
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
        else:
            sock.bind((host, 0))
        if family == socket.AF_INET:
            sock.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
        print(sock.getsockname()[1], flush=True)
        while True:
            data, ancillary, _flags, sender = sock.recvmsg(65535, socket.CMSG_SPACE(4))
            if data == b"ttl?" or mode == "group":
                ttl = next((int.from_bytes(d[:4], sys.byteorder) for level, kind, d in ancillary
                            if level == socket.IPPROTO_IP and kind == IP_TTL), -1)
                sock.sendto(b"ttl=%d" % ttl, sender)
            else:
                sock.sendto(data, sender)
    elif mode == "send":
        port, message = int(sys.argv[3]), sys.argv[4]
        sock.bind((host, 0))
        print(sock.getsockname()[1], flush=True)
        sock.sendto(message.encode(), (host, port))
        while True:
            data, _sender = sock.recvfrom(65535)
            print(data.decode(), flush=True)
            if data == b"bye":
                break
        sys.stdout.flush()
        os._exit(0)


main()
