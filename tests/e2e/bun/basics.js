// Bun under persona: files, timers, subprocesses, an HTTP server it
// fetches from itself, and Worker threads.
const fs = require("fs");
const os = require("os");
const path = require("path");

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bun-"));
const file = path.join(dir, "a.txt");
await Bun.write(file, "hello from bun\n".repeat(1000));
console.log("file bytes:", (await Bun.file(file).text()).length);
fs.renameSync(file, file + ".moved");
console.log("renamed:", fs.existsSync(file + ".moved") && !fs.existsSync(file));

await new Promise(r => setTimeout(r, 50));
console.log("timer: fired");

const p = Bun.spawnSync(["/bin/sh", "-c", "echo from the child; exit 3"]);
console.log("spawn:", p.stdout.toString().trim(), p.exitCode);

const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: req => new Response("pong " + new URL(req.url).pathname) });
let ok = 0;
await Promise.all([...Array(20)].map(async (_, i) => {
	const r = await fetch(`http://127.0.0.1:${server.port}/${i}`);
	if ((await r.text()) === `pong /${i}`) ok++;
}));
server.stop(true);
console.log("http:", ok, "of 20");

const src = "self.onmessage = e => { let s = 0; for (let i = 0; i < e.data; i++) s += i; postMessage(s); }";
const url = URL.createObjectURL(new Blob([src], { type: "application/javascript" }));
const sums = await Promise.all([...Array(4)].map(() => new Promise(res => {
	const w = new Worker(url);
	w.onmessage = e => { res(e.data); w.terminate(); };
	w.postMessage(100000);
})));
console.log("workers:", sums.join(" "));
fs.rmSync(dir, { recursive: true });
