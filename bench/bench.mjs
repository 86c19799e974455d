// The benchmark's scenarios (see bench/README.md). Each run starts a fresh `pushboard serve` on a
// free port with a new data directory, runs bench/loadgen against it, stops it, and keeps
// loadgen's JSON result. Prints one Markdown table with the median of each figure over --runs.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir, cpus, loadavg } from "node:os";
import { join } from "node:path";

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) => {
  if (arg.startsWith("--")) pairs.push([arg.slice(2), all[i + 1] && !all[i + 1].startsWith("--") ? all[i + 1] : "1"]);
  return pairs;
}, []));
const runs = Number(args.runs || 3);
const pad = "p".repeat(53);
const sseBody = `{"topic":"bench","data":{"seq":{seq},"t":{t},"pad":"${pad}"}}`;
const nchanBody = `{"seq":{seq},"t":{t},"pad":"${pad}"}`; // nchan sends the body as it is

const scenarios = [
  { name: "sse-100", title: "SSE fan-out, 100 subscribers x 100 events/s, 10 s",
    args: p => ["sse", "--url", `http://127.0.0.1:${p}/events?topics=bench`, "-n", "100",
                "--pub-url", `http://127.0.0.1:${p}/api/publish`, "--rate", "100", "--duration", "10", "--body", sseBody] },
  { name: "sse-1000", title: "SSE fan-out, 1000 subscribers x 100 events/s, 10 s",
    args: p => ["sse", "--url", `http://127.0.0.1:${p}/events?topics=bench`, "-n", "1000",
                "--pub-url", `http://127.0.0.1:${p}/api/publish`, "--rate", "100", "--duration", "10", "--body", sseBody] },
  { name: "ws-1000", title: "WebSocket fan-out, 1000 receivers x 100 events/s, 10 s",
    args: p => ["ws", "--url", `ws://127.0.0.1:${p}/ws`, "-n", "1000", "--recv-only",
                "--ws-init", `{"op":"subscribe","topics":["bench"]}`,
                "--pub-url", `http://127.0.0.1:${p}/api/publish`, "--rate", "100", "--duration", "10", "--body", sseBody] },
  { name: "ws-publish-ack", title: "WebSocket publish-to-ack round trip, 100 clients x 10 publishes/s, 10 s (every event stored)",
    args: p => ["ws", "--url", `ws://127.0.0.1:${p}/ws`, "-n", "100", "--send-rate", "10", "--duration", "10",
                "--ws-body", `{"op":"publish","topic":"rtt","data":{"c":{i}},"ref":{"seq":{seq},"t":{t}}}`] },
  { name: "idle-5000", title: "5000 idle SSE connections, held 10 s",
    args: p => ["idle", "--url", `http://127.0.0.1:${p}/events?topics=idle`, "-n", "5000", "--hold", "10"] },
  { name: "saturation", title: "Saturation: 1000 subscribers, 500 events/s offered, 10 s",
    args: p => ["sse", "--url", `http://127.0.0.1:${p}/events?topics=bench`, "-n", "1000",
                "--pub-url", `http://127.0.0.1:${p}/api/publish`, "--rate", "500", "--duration", "10", "--body", sseBody] },
  { name: "publish", title: "Publish on one keep-alive connection, 20,000/s offered, 10 s (every event stored)",
    args: p => ["pub", "--pub-url", `http://127.0.0.1:${p}/api/publish`, "--rate", "20000", "--duration", "10",
                "--body", `{"topic":"bench","data":{"seq":{seq},"t":{t}}}`] },
  // The inspector's relay (`pushboard inspect`) in front of the server: the same stream direct and
  // through it, for the latency the relay adds (the relay's CPU is counted with the server's).
  { name: "relay-direct", title: "SSE, 1 subscriber x 1000 events/s, 10 s, direct (baseline for the next row)",
    args: p => ["sse", "--url", `http://127.0.0.1:${p}/events?topics=bench`, "-n", "1",
                "--pub-url", `http://127.0.0.1:${p}/api/publish`, "--rate", "1000", "--duration", "10", "--body", sseBody] },
  { name: "relay-inspect", relay: true, title: "The same through `pushboard inspect` (relay recording and decoding every frame)",
    args: (p, r) => ["sse", "--url", `http://127.0.0.1:${r}/events?topics=bench`, "-n", "1",
                "--pub-url", `http://127.0.0.1:${p}/api/publish`, "--rate", "1000", "--duration", "10", "--body", sseBody] },
  // TLS and HTTP/2 (issue 14): the server started with --tls-self-signed (nginx with an EC P-256
  // certificate of its own, like Pushboard's). 1000 subscribers as 1000 streams over 10 HTTP/2
  // connections, the same over 1000 HTTP/1.1 connections, the TLS handshake rate, and a storm of
  // 1000 clients reconnecting at once (each with Last-Event-ID) while events are published.
  { name: "h2-sse-1000", tls: true, title: "SSE over HTTP/2 + TLS, 1000 subscribers as streams on 10 connections x 100 events/s, 10 s",
    args: p => ["sse", "--url", `https://127.0.0.1:${p}/events?topics=bench`, "-n", "1000", "--h2", "100",
                "--pub-url", `https://127.0.0.1:${p}/api/publish`, "--rate", "100", "--duration", "10", "--body", sseBody] },
  { name: "tls-sse-1000", tls: true, title: "SSE over HTTP/1.1 + TLS, 1000 subscribers x 100 events/s, 10 s",
    args: p => ["sse", "--url", `https://127.0.0.1:${p}/events?topics=bench`, "-n", "1000",
                "--pub-url", `https://127.0.0.1:${p}/api/publish`, "--rate", "100", "--duration", "10", "--body", sseBody] },
  { name: "tls-connect-1000", tls: true, title: "TLS handshakes: 1000 SSE clients connecting (32 at a time), held 2 s",
    args: p => ["idle", "--url", `https://127.0.0.1:${p}/events?topics=idle`, "-n", "1000", "--hold", "2"] },
  { name: "tls-storm-1000", tls: true, title: "Reconnect storm over TLS: 1000 SSE clients x 100 events/s dropped at 5 s and back at once with Last-Event-ID, 10 s",
    args: p => ["sse", "--url", `https://127.0.0.1:${p}/events?topics=bench`, "-n", "1000", "--storm-at", "5",
                "--pub-url", `https://127.0.0.1:${p}/api/publish`, "--rate", "100", "--duration", "10", "--body", sseBody] },
  { name: "nchan-h2-sse-1000", peer: "nchan", tls: true, title: "nginx + nchan: SSE over HTTP/2 + TLS, 1000 subscribers as streams on 10 connections x 100 events/s, 10 s",
    args: p => ["sse", "--url", `https://127.0.0.1:${p}/sub/bench`, "-n", "1000", "--h2", "100",
                "--pub-url", `https://127.0.0.1:${p}/pub/bench`, "--rate", "100", "--duration", "10", "--body", nchanBody] },
  { name: "nchan-tls-sse-1000", peer: "nchan", tls: true, title: "nginx + nchan: SSE over HTTP/1.1 + TLS, 1000 subscribers x 100 events/s, 10 s",
    args: p => ["sse", "--url", `https://127.0.0.1:${p}/sub/bench`, "-n", "1000",
                "--pub-url", `https://127.0.0.1:${p}/pub/bench`, "--rate", "100", "--duration", "10", "--body", nchanBody] },
  { name: "nchan-tls-connect-1000", peer: "nchan", tls: true, title: "nginx + nchan: TLS handshakes, 1000 SSE clients connecting (32 at a time), held 2 s",
    args: p => ["idle", "--url", `https://127.0.0.1:${p}/sub/idle`, "-n", "1000", "--hold", "2"] },
  // Scale (issue 16): connection set-up, a restart storm, many idle clients, group commit, and
  // several servers on one Redis.
  { name: "connect-1000", title: "1,000 SSE clients connecting at once, held 2 s",
    args: p => ["idle", "--url", `http://127.0.0.1:${p}/events?topics=idle`, "-n", "1000", "--in-flight", "0", "--hold", "2"] },
  { name: "connect-10000", title: "10,000 SSE clients connecting at once, held 2 s",
    args: p => ["idle", "--url", `http://127.0.0.1:${p}/events?topics=idle`, "-n", "10000", "--in-flight", "0", "--hold", "2"] },
  { name: "restart-storm-10000", restartAt: 6, title: "Restart storm: 10,000 SSE clients x 5 events/s, the server restarted (SIGTERM, start again) a few seconds in, every client back with Last-Event-ID (retry 0.5-1 s)",
    args: p => ["sse", "--url", `http://127.0.0.1:${p}/events?topics=bench`, "-n", "10000", "--in-flight", "0", "--resume-after", "500",
                "--pub-url", `http://127.0.0.1:${p}/api/publish`, "--rate", "5", "--duration", "12", "--grace", "15", "--body", sseBody] },
  { name: "idle-many", title: `${idleMany().toLocaleString("en-US")} idle SSE connections from 4 source addresses, held 10 s (as many as the open-file limit lets one process hold)`,
    args: p => ["idle", "--url", `http://127.0.0.1:${p}/events?topics=idle`, "-n", String(idleMany()), "--sources", "4", "--hold", "10"] },
  { name: "publish-10x1", title: "Group commit: 10 publishers, one event per request, 100,000/s offered, 10 s",
    args: p => ["pub", "--pub-url", `http://127.0.0.1:${p}/api/publish`, "--publishers", "10", "--rate", "100000", "--duration", "10",
                "--body", `{"topic":"bench","data":{"seq":{seq},"t":{t}}}`] },
  { name: "publish-10x10", title: "Group commit: 10 publishers, batches of 10 events, 100,000/s offered, 10 s",
    args: p => ["pub", "--pub-url", `http://127.0.0.1:${p}/api/publish`, "--publishers", "10", "--batch", "10", "--rate", "100000", "--duration", "10",
                "--body", `{"topic":"bench","data":{"seq":{seq},"t":{t}}}`] },
  { name: "redis-publish-10x1", redis: 1, title: "Through Redis (one server, --backplane): 10 publishers, one event per request, 100,000/s offered, 10 s",
    args: p => ["pub", "--pub-url", `http://127.0.0.1:${p}/api/publish`, "--publishers", "10", "--rate", "100000", "--duration", "10",
                "--body", `{"topic":"bench","data":{"seq":{seq},"t":{t}}}`] },
  { name: "redis-publish-10x10", redis: 1, title: "Through Redis: 10 publishers, batches of 10, 100,000/s offered, 10 s",
    args: p => ["pub", "--pub-url", `http://127.0.0.1:${p}/api/publish`, "--publishers", "10", "--batch", "10", "--rate", "100000", "--duration", "10",
                "--body", `{"topic":"bench","data":{"seq":{seq},"t":{t}}}`] },
  ...[1, 2, 3].map(n => ({ name: `redis-fanout-${n}`, redis: n, title: `SSE fan-out through HAProxy to ${n} server(s) on Redis: 2000 subscribers x 100 events/s, 10 s`,
    args: p => ["sse", "--url", `http://127.0.0.1:${p}/events?topics=bench`, "-n", "2000",
                "--pub-url", `http://127.0.0.1:${p}/api/publish`, "--rate", "100", "--duration", "10", "--body", sseBody] })),
  { name: "nchan-connect-1000", peer: "nchan", title: "nginx + nchan: 1,000 SSE clients connecting at once, held 2 s",
    args: p => ["idle", "--url", `http://127.0.0.1:${p}/sub/idle`, "-n", "1000", "--in-flight", "0", "--hold", "2"] },
  { name: "nchan-connect-10000", peer: "nchan", title: "nginx + nchan: 10,000 SSE clients connecting at once, held 2 s",
    args: p => ["idle", "--url", `http://127.0.0.1:${p}/sub/idle`, "-n", "10000", "--in-flight", "0", "--hold", "2"] },
  { name: "nchan-restart-storm-10000", peer: "nchan", restartAt: 6, title: "nginx + nchan: the same restart storm (its memory store forgets the messages: resume is not possible)",
    args: p => ["sse", "--url", `http://127.0.0.1:${p}/sub/bench`, "-n", "10000", "--in-flight", "0", "--resume-after", "500",
                "--pub-url", `http://127.0.0.1:${p}/pub/bench`, "--rate", "5", "--duration", "12", "--grace", "15", "--body", nchanBody] },
  // The peer, nginx + nchan (one worker), with the same load generator and payload, in the same run.
  { name: "nchan-sse-1000", peer: "nchan", title: "nginx + nchan: SSE fan-out, 1000 subscribers x 100 events/s, 10 s",
    args: p => ["sse", "--url", `http://127.0.0.1:${p}/sub/bench`, "-n", "1000",
                "--pub-url", `http://127.0.0.1:${p}/pub/bench`, "--rate", "100", "--duration", "10", "--body", nchanBody] },
  { name: "nchan-ws-1000", peer: "nchan", title: "nginx + nchan: WebSocket fan-out, 1000 receivers x 100 events/s, 10 s",
    args: p => ["ws", "--url", `ws://127.0.0.1:${p}/sub/bench`, "-n", "1000", "--recv-only",
                "--pub-url", `http://127.0.0.1:${p}/pub/bench`, "--rate", "100", "--duration", "10", "--body", nchanBody] },
].filter(s => !args.only || args.only.split(",").includes(s.name))
 .filter(s => s.peer !== "nchan" || nchanAvailable())
 .filter(s => !s.redis || redisAvailable());

function redisAvailable() {
  return existsSync("/usr/bin/redis-server") && existsSync("/usr/sbin/haproxy");
}

// One process may hold as many sockets as its open-file limit allows (the server needs a few
// more than the clients; the load generator holds the other ends).
function idleMany() {
  let hard = 20000;
  try { hard = Number(execFileSync("bash", ["-c", "ulimit -Hn"]).toString().trim()) || hard; } catch { /* keep */ }
  return Math.min(50000, Math.floor((hard - 200) / 1000) * 1000);
}

function nchanAvailable() {
  return existsSync("/usr/lib/nginx/modules/ngx_nchan_module.so") && existsSync("/usr/sbin/nginx");
}

function freePort() {
  return new Promise(resolve => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => { const { port } = server.address(); server.close(() => resolve(port)); });
  });
}

async function waitForPort(port) {
  for (let i = 0; i < 100; ++i) {
    const open = await new Promise(resolve => {
      const socket = connect(port, "127.0.0.1", () => { socket.destroy(); resolve(true); });
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${port}`);
}

async function startNchan(tls) {
  const dir = mkdtempSync(join(tmpdir(), "pushboard-bench-nchan-"));
  const port = await freePort();
  const tlsPort = await freePort();
  // A certificate like the one `pushboard serve --tls-self-signed` makes: EC P-256.
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                           "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-subj", "/CN=localhost",
                           "-days", "1"], { stdio: "ignore" });
  const template = readFileSync(new URL("nchan/nginx.conf.in", import.meta.url), "utf8");
  writeFileSync(join(dir, "nginx.conf"), template.replaceAll("@DIR@", dir).replaceAll("@PORT@", String(port))
    .replaceAll("@TLSPORT@", String(tlsPort)));
  const child = spawn("/usr/sbin/nginx", ["-c", join(dir, "nginx.conf"), "-e", join(dir, "error.log"), "-g", "daemon off;"],
                      { stdio: ["ignore", "ignore", "inherit"] });
  await waitForPort(port);
  await waitForPort(tlsPort);
  const workers = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
  return { child, port: tls ? tlsPort : port, dataDir: dir, pids: [child.pid, ...workers] };
}

function startServer(tls, { port = 0, dataDir = mkdtempSync(join(tmpdir(), "pushboard-bench-")), extra = [] } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(args.pushboard, ["serve", "--port", String(port), "--data-dir", dataDir, "--max-connections", String(idleMany() + 900),
                                         ...(tls ? ["--tls-self-signed"] : []), ...extra],
                        { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", chunk => {
      out += chunk;
      const m = out.match(/listening on https?:\/\/127\.0\.0\.1:(\d+)/);
      if (m) resolve({ child, port: Number(m[1]), dataDir });
    });
    child.on("exit", code => reject(new Error(`pushboard serve exited (${code}): ${out}`)));
  });
}

// Redis (AOF on, like tests/store/redisserver.h) and N servers sharing it; with `balanced`,
// HAProxy in front of them (round robin, streams unbuffered), as docs/scale-out.md describes.
async function startCluster(n, balanced) {
  const dir = mkdtempSync(join(tmpdir(), "pushboard-bench-redis-"));
  const redisPort = await freePort();
  const redis = spawn("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes",
                                       "--save", "", "--logfile", "redis.log"], { stdio: "ignore" });
  await waitForPort(redisPort);
  const servers = [];
  for (let i = 0; i < n; ++i)
    servers.push(await startServer(false, { extra: ["--backplane", `redis://127.0.0.1:${redisPort}`, "--no-metrics"] }));
  let haproxy = null, port = servers[0].port;
  if (balanced) {
    port = await freePort();
    writeFileSync(join(dir, "haproxy.cfg"), [
      "global", "  maxconn 9000",
      "defaults", "  mode http", "  timeout connect 2s", "  timeout client 1h", "  timeout server 1h", "  retries 3", "  option redispatch 1",
      "frontend pushboard", `  bind 127.0.0.1:${port}`, "  default_backend servers",
      "backend servers", "  balance roundrobin",
      ...servers.map((s, i) => `  server s${i} 127.0.0.1:${s.port}`), ""].join("\n"));
    haproxy = spawn("haproxy", ["-db", "-f", join(dir, "haproxy.cfg")], { stdio: ["ignore", "ignore", "inherit"] });
    await waitForPort(port);
  }
  return { port, servers, redis, haproxy, dir,
           pids: [...servers.map(s => s.child.pid), redis.pid, ...(haproxy ? [haproxy.pid] : [])] };
}

async function stopCluster(cluster) {
  for (const server of cluster.servers) await stopServer(server);
  for (const child of [cluster.haproxy, cluster.redis].filter(Boolean))
    await new Promise(resolve => { child.once("exit", resolve); child.kill("SIGTERM"); });
  rmSync(cluster.dir, { recursive: true, force: true });
}

// Stops the server as an operator would and starts it again on the same port (Pushboard: with the
// same data directory, so ids continue; nchan: its configuration).
async function restart(server, scenario) {
  if (scenario.peer === "nchan") {
    await new Promise(resolve => { server.child.once("exit", resolve); server.child.kill("SIGTERM"); });
    server.child = spawn("/usr/sbin/nginx", ["-c", join(server.dataDir, "nginx.conf"), "-e", join(server.dataDir, "error.log"), "-g", "daemon off;"],
                         { stdio: ["ignore", "ignore", "inherit"] });
    return;
  }
  server.child.removeAllListeners("exit");
  await new Promise(resolve => { server.child.once("exit", resolve); server.child.kill("SIGTERM"); });
  const again = await startServer(false, { port: server.port, dataDir: server.dataDir });
  server.child = again.child;
}

async function startRelay(server) {
  const port = await freePort();
  const child = spawn(args.pushboard, ["inspect", "--listen", String(port), "--upstream", `http://127.0.0.1:${server.port}`, "--quiet"],
                      { stdio: ["ignore", "ignore", "inherit"] });
  await waitForPort(port);
  return { child, port };
}

function stopRelay(relay) {
  return new Promise(resolve => { relay.child.once("exit", resolve); relay.child.kill("SIGTERM"); });
}

function stopServer(server) {
  return new Promise(resolve => {
    server.child.removeAllListeners("exit");
    server.child.once("exit", () => { rmSync(server.dataDir, { recursive: true, force: true }); resolve(); });
    server.child.kill(server.pids ? "SIGQUIT" : "SIGTERM"); // nginx: graceful stop
  });
}

function runLoadgen(loadgenArgs) {
  return new Promise((resolve, reject) => {
    const child = spawn(args.loadgen, loadgenArgs, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", c => { out += c; });
    child.stderr.on("data", c => { err += c; });
    child.on("exit", code => {
      const last = out.trim().split("\n").pop();
      try { resolve(JSON.parse(last)); } catch (e) { reject(new Error(`loadgen exited ${code}: ${err}`)); }
    });
  });
}

const median = values => {
  const v = values.filter(x => x !== null && x !== undefined && !Number.isNaN(x)).sort((a, b) => a - b);
  return v.length ? v[Math.floor((v.length - 1) / 2)] : null;
};
const fmt = (x, digits = 0) => x === null ? "-" : Number(x).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = us => us === null ? "-" : fmt(us / 1000, 1);

async function main() {
  const rows = [];
  for (const scenario of scenarios) {
    const results = [];
    for (let i = 0; i < runs; ++i) {
      const server = scenario.redis ? await startCluster(scenario.redis, scenario.name.includes("fanout"))
        : scenario.peer === "nchan" ? await startNchan(scenario.tls) : await startServer(scenario.tls);
      const relay = scenario.relay ? await startRelay(server) : null;
      await new Promise(r => setTimeout(r, 500));
      const pids = [...(server.pids || [server.child.pid]), ...(relay ? [relay.child.pid] : [])];
      const running = runLoadgen([...scenario.args(server.port, relay && relay.port), "--server-pid", pids.join(","), "--label", scenario.name]);
      if (scenario.restartAt) {
        await new Promise(r => setTimeout(r, scenario.restartAt * 1000));
        await restart(server, scenario);
      }
      const result = await running;
      if (relay) await stopRelay(relay);
      if (scenario.redis) await stopCluster(server);
      else await stopServer(server);
      results.push(result);
      const ratio = result.delivery_ratio === null ? "" : ` delivered ${(result.delivery_ratio * 100).toFixed(2)}% (${result.seq.dups} duplicates, ${result.seq.gaps} missing)`;
      const p99 = result.latency_us.count ? ` p99 ${(result.latency_us.p99 / 1000).toFixed(1)} ms` : "";
      process.stderr.write(`${scenario.name} run ${i + 1}/${runs}:${ratio}${p99} ${result.events_per_s} ev/s, server cpu ${result.server.cpu_pct}%, loadgen cpu ${result.self.cpu_pct}%\n`);
    }
    const m = f => median(results.map(f));
    rows.push({ scenario, m });
  }

  console.log(`Machine: ${cpus().length} x ${cpus()[0].model}; load average before: ${loadavg().map(x => x.toFixed(2)).join(" ")}; medians of ${runs} run(s).\n`);
  console.log("| scenario | delivered (new / expected) | duplicates / missing | publishes/s offered → achieved | deliveries/s | latency p50 / p99 (ms) | server CPU (% of a core) | server RSS peak | loadgen CPU | other load |");
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const { scenario, m } of rows) {
    const other = `${fmt(m(r => r.host.other_pct))}%`;
    const self = `${fmt(m(r => r.self.cpu_pct))}%`;
    const published = m(r => r.pub.sent) ? `${fmt(m(r => r.pub.offered_per_s))} → ${fmt(m(r => r.pub.achieved_per_s))}` : "-";
    if (/^(nchan-)?connect-/.test(scenario.name)) {
      console.log(`| ${scenario.title} | ${fmt(m(r => r.established))} open | - | - | **all streaming in ${fmt(m(r => r.connect_s), 2)} s** | - | ${fmt(m(r => r.server.cpu_pct), 1)} (held) | ${fmt(m(r => r.server.rss_peak_kb / 1024), 1)} MB | ${self} | ${other} |`);
    } else if (scenario.restartAt) {
      console.log(`| ${scenario.title} | ${fmt(m(r => r.delivery_ratio * 100), 2)}% (${fmt(m(r => r.delivered))}/${fmt(m(r => r.events_expected))}) | ${fmt(m(r => r.seq.dups))} / ${fmt(m(r => r.seq.gaps))} | ${published} | **${fmt(m(r => r.storm.reconnected))} back, the last ${fmt(m(r => r.storm.seconds), 2)} s after the first drop** | ${ms(m(r => r.latency_us.p50))} / ${ms(m(r => r.latency_us.p99))} | - (restarted) | - | ${self} | ${other} |`);
    } else if (scenario.name === "idle-many") {
      console.log(`| ${scenario.title} | ${fmt(m(r => r.established))} open | - | - | - | - | ${fmt(m(r => r.server.cpu_pct), 1)} | ${fmt(m(r => r.server.rss_peak_kb / 1024), 1)} MB: **${fmt(m(r => r.server.rss_delta_per_conn_bytes / 1024), 2)} KB per connection** | ${self} | ${other} |`);
    } else if (scenario.name.includes("publish-10x")) {
      console.log(`| ${scenario.title} | ${fmt(m(r => r.pub.ok))} stored (202) | - | **${published}** events/s | - | ${ms(m(r => r.pub.resp_us.p50))} / ${ms(m(r => r.pub.resp_us.p99))} (to the 202) | ${fmt(m(r => r.server.cpu_pct), 1)}${scenario.redis ? " (with Redis)" : ""} | ${fmt(m(r => r.server.rss_peak_kb / 1024), 1)} MB | ${self} | ${other} |`);
    } else if (scenario.name.endsWith("connect-1000")) {
      console.log(`| ${scenario.title} | ${fmt(m(r => r.established))} open | - | - | **${fmt(m(r => r.established / r.connect_s))} handshakes/s** (all in ${fmt(m(r => r.connect_s), 2)} s) | - | ${fmt(m(r => r.server.cpu_pct), 1)} (held) | ${fmt(m(r => r.server.rss_peak_kb / 1024), 1)} MB | ${self} | ${other} |`);
    } else if (scenario.name === "tls-storm-1000") {
      console.log(`| ${scenario.title} | ${fmt(m(r => r.delivery_ratio * 100), 2)}% (${fmt(m(r => r.delivered))}/${fmt(m(r => r.events_expected))}) | ${fmt(m(r => r.seq.dups))} / ${fmt(m(r => r.seq.gaps))} | ${published} | **${fmt(m(r => r.storm.reconnected))} back in ${fmt(m(r => r.storm.seconds), 2)} s** | ${ms(m(r => r.latency_us.p50))} / ${ms(m(r => r.latency_us.p99))} | ${fmt(m(r => r.server.cpu_pct), 1)} | ${fmt(m(r => r.server.rss_peak_kb / 1024), 1)} MB | ${self} | ${other} |`);
    } else if (scenario.name === "idle-5000") {
      console.log(`| ${scenario.title} | ${fmt(m(r => r.established))} open | - | - | - | - | ${fmt(m(r => r.server.cpu_pct), 1)} | ${fmt(m(r => r.server.rss_peak_kb / 1024), 1)} MB: **${fmt(m(r => r.server.rss_delta_per_conn_bytes / 1024), 1)} KB per connection** | ${self} | ${other} |`);
    } else if (scenario.name === "publish") {
      console.log(`| ${scenario.title} | ${fmt(m(r => r.pub.ok))} stored (202) | - | **${published}** | - | ${ms(m(r => r.pub.resp_us.p50))} / ${ms(m(r => r.pub.resp_us.p99))} (response) | ${fmt(m(r => r.server.cpu_pct), 1)} | ${fmt(m(r => r.server.rss_peak_kb / 1024), 1)} MB | ${self} | ${other} |`);
    } else {
      console.log(`| ${scenario.title} | ${fmt(m(r => r.delivery_ratio * 100), 2)}% (${fmt(m(r => r.delivered))}/${fmt(m(r => r.events_expected))}) | ${fmt(m(r => r.seq.dups))} / ${fmt(m(r => r.seq.gaps))} | ${published} | ${fmt(m(r => r.delivered / r.window_s))} | ${ms(m(r => r.latency_us.p50))} / ${ms(m(r => r.latency_us.p99))} | ${fmt(m(r => r.server.cpu_pct), 1)} | ${fmt(m(r => r.server.rss_peak_kb / 1024), 1)} MB | ${self} | ${other} |`);
    }
  }
}

main().catch(e => { console.error(e); process.exit(1); });
