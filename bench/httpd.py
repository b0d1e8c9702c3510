# bench/httpd.py: the HTTP server of `make bench` when neither Bun nor
# Node is found. HTTP/1.1 with Content-Length so clients keep connections
# alive. Listens on 127.0.0.1 on a free port and prints that port.
import http.server
import sys

BODY = b"hello from persona's bench\n"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # one write per response: headers and body in separate segments
    # would wait on the client's delayed ACK
    wbufsize = 65536
    disable_nagle_algorithm = True

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
