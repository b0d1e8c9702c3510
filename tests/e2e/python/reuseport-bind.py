"""Binds 127.0.0.1:PORT for TCP and UDP with SO_REUSEPORT and says how
each went. Run as a host service (with `hold`, it keeps the sockets) or
as a guest trying to join that service's reuseport groups."""
import socket
import sys
import time

port = int(sys.argv[1])
held = []
for kind, name in ((socket.SOCK_STREAM, "tcp"), (socket.SOCK_DGRAM, "udp")):
    s = socket.socket(socket.AF_INET, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        s.bind(("127.0.0.1", port))
        if kind == socket.SOCK_STREAM:
            s.listen()
        print("bind", name, "ok", flush=True)
        held.append(s)
    except OSError as e:
        print("bind", name, e.strerror, flush=True)
if len(sys.argv) > 2 and sys.argv[2] == "hold":
    time.sleep(float(sys.argv[3]))
