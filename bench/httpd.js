// bench/httpd.js: the HTTP server of `make bench`. Under Bun it uses
// Bun.serve, under Node the http module. Listens on 127.0.0.1 on a free
// port and prints that port on stdout once it accepts connections.
const body = "hello from persona's bench\n";

if (typeof Bun !== "undefined") {
	const server = Bun.serve({
		hostname: "127.0.0.1",
		port: 0,
		fetch() {
			return new Response(body, { headers: { "content-type": "text/plain" } });
		},
	});
	console.log(server.port);
} else {
	const http = require("http");
	const server = http.createServer((req, res) => {
		res.writeHead(200, { "content-type": "text/plain", "content-length": body.length });
		res.end(body);
	});
	server.keepAliveTimeout = 60000;
	server.listen(0, "127.0.0.1", () => console.log(server.address().port));
}
