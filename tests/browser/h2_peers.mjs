// HTTP/2 with the clients people use, against `pushboard serve`:
// - Chromium opens 20 EventSources on one page. Over HTTP/2 (TLS, ALPN) all 20 receive live
//   events on one connection; the same page over HTTP/1.1 (Chromium started with --disable-http2)
//   gets 6, and the seventh waits: the browser's six-connections-per-host limit, measured.
// - curl (--http2 over TLS, --http2-prior-knowledge on clear text), nghttp and Node's http2
//   module stream events and publish.
//   node h2_peers.mjs /path/to/pushboard
import { spawn, execFileSync } from "node:child_process";
import { X509Certificate, createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http2 from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import puppeteer from "puppeteer-core";
import { stopProcess, waitFor } from "./helpers.mjs";

const binary = process.argv[2];
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
const work = mkdtempSync(join(tmpdir(), "pushboard-h2-"));
const children = [];
const Streams = 20;
// Whatever happens, no server outlives the test (a crash would leave them holding ctest's pipes).
process.on("exit", () => { for (const child of children) child.kill("SIGKILL"); });

function startServer(dataDir, tls) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ["serve", "--port", "0", "--data-dir", dataDir, "--interval", "3600000",
                                 ...(tls ? ["--tls-self-signed"] : [])], { stdio: ["ignore", "pipe", "inherit"] });
    children.push(child);
    let out = "";
    child.stdout.on("data", chunk => {
      out += chunk;
      const port = out.match(/listening on https?:\/\/127\.0\.0\.1:(\d+)/);
      if (port && (!tls || /SHA-256 /.test(out))) resolve({ child, port: Number(port[1]) });
    });
    child.on("exit", code => reject(new Error(`pushboard serve exited with ${code}: ${out}`)));
  });
}

/// curl, returning its output; `args` after the common ones.
function curl(...args) {
  return execFileSync("curl", ["-sS", ...args], { stdio: ["ignore", "pipe", "pipe"] }).toString();
}

/// A child process whose output is collected as it comes (a streaming client).
function collect(command, args) {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const collected = { child, out: "" };
  child.stdout.on("data", chunk => { collected.out += chunk; });
  child.stderr.on("data", chunk => { collected.out += chunk; });
  return collected;
}

function publish(base, topic, data, extra = []) {
  const answer = JSON.parse(curl(...extra, "-X", "POST", "-H", "Content-Type: application/json",
                                 "--data", JSON.stringify({ topic, data }), `${base}/api/publish`));
  assert.ok(answer.id, `published: ${JSON.stringify(answer)}`);
  return answer.id;
}

/// Opens `count` EventSources on the page and returns a function reading what each received.
async function openEventSources(page, topic, count) {
  await page.evaluate((topic, count) => {
    window.sources = [];
    for (let i = 0; i < count; ++i) {
      const source = new EventSource(`/events?topics=${topic}`);
      source.ids = [];
      source.addEventListener(topic, e => source.ids.push(e.lastEventId));
      window.sources.push(source);
    }
  }, topic, count);
  return () => page.evaluate(() => window.sources.map(s => ({ state: s.readyState, ids: s.ids })));
}

async function chromiumPage(args, url) {
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", ...args],
  });
  const page = await browser.newPage();
  await page.goto(url); // a page of the server's own origin (its health answer) to run from
  return { browser, page };
}

async function main() {
  const tlsDir = join(work, "tls");
  const { port: tlsPort } = await startServer(tlsDir, true);
  const { port: plainPort } = await startServer(join(work, "plain"), false);
  const caFile = join(tlsDir, "tls-ca.pem");
  const tlsBase = `https://localhost:${tlsPort}`;
  const plainBase = `http://127.0.0.1:${plainPort}`;
  const certificate = new X509Certificate(readFileSync(join(tlsDir, "tls-cert.pem")));
  const spki = createHash("sha256").update(certificate.publicKey.export({ type: "spki", format: "der" })).digest("base64");
  const trust = `--ignore-certificate-errors-spki-list=${spki}`;
  // The test's own look at the server goes over HTTP/1.1, so that it does not count as h2.
  const sseConnections = () => curl("--http1.1", "--cacert", caFile, `${tlsBase}/api/connections`)
    .split('"transport":"sse"').length - 1;

  // Chromium over HTTP/2: 20 EventSources, one connection, every one gets the event.
  {
    const { browser, page } = await chromiumPage([trust], `${tlsBase}/api/health`);
    try {
      const read = await openEventSources(page, "h2.browser", Streams);
      await waitFor("20 streams at the server", () => sseConnections() === Streams);
      const id = publish(tlsBase, "h2.browser", { n: 1 }, ["--http1.1", "--cacert", caFile]);
      await waitFor("the event in all 20 EventSources", async () =>
        (await read()).every(source => source.ids.includes(id)));
      const connections = curl("--http1.1", "--cacert", caFile, `${tlsBase}/api/connections`);
      assert.equal(connections.split('"protocol":"h2"').length - 1, Streams, "every stream is an h2 stream");
      const metrics = curl("--http1.1", "--cacert", caFile, `${tlsBase}/metrics`);
      assert.match(metrics, /\npushboard_connections_by_protocol\{protocol="h2"\} 1\n/, "on one connection");
      // The 20 streams are not connections of their own: no HTTP/1.1 count near 20.
      const http11 = Number(metrics.match(/\npushboard_connections_by_protocol\{protocol="http\/1\.1"\} (\d+)\n/)[1]);
      assert.ok(http11 < Streams, `${http11} HTTP/1.1 connections`);
    } finally {
      await browser.close();
    }
  }
  await waitFor("the h2 streams to close", () => sseConnections() === 0);

  // The same page over HTTP/1.1: six streams open, the seventh waits.
  {
    const { browser, page } = await chromiumPage([trust, "--disable-http2"], `${tlsBase}/api/health`);
    try {
      const read = await openEventSources(page, "h1.browser", Streams);
      await waitFor("6 streams at the server", () => sseConnections() === 6);
      // Two events, one after the other: by the time the six have the second, a seventh stream
      // that could open would have been counted by the server.
      const first = publish(tlsBase, "h1.browser", { n: 1 }, ["--cacert", caFile]);
      await waitFor("the first event in 6 EventSources", async () =>
        (await read()).filter(source => source.ids.includes(first)).length === 6);
      const second = publish(tlsBase, "h1.browser", { n: 2 }, ["--cacert", caFile]);
      await waitFor("the second event in 6 EventSources", async () =>
        (await read()).filter(source => source.ids.includes(second)).length === 6);
      const sources = await read();
      assert.equal(sources.filter(source => source.ids.length > 0).length, 6, "six streams received events");
      assert.equal(sources.filter(source => source.state === 0 /* CONNECTING */).length, Streams - 6,
                   "the others wait for a connection");
      assert.equal(sseConnections(), 6);
      const connections = curl("--cacert", caFile, `${tlsBase}/api/connections`);
      assert.equal(connections.split('"protocol":"http/1.1"').length - 1, 6);
    } finally {
      await browser.close();
    }
  }

  // curl: --http2 over TLS (ALPN) and --http2-prior-knowledge on clear text, streaming and
  // publishing.
  for (const [base, flags] of [[tlsBase, ["--http2", "--cacert", caFile]], [plainBase, ["--http2-prior-knowledge"]]]) {
    const version = curl(...flags, "-o", "/dev/null", "-w", "%{http_version}", `${base}/api/health`);
    assert.equal(version, "2", `curl ${flags[0]} negotiated HTTP/${version}`);
    const stream = collect("curl", ["-sSN", ...flags, `${base}/events?topics=curl.h2`]);
    await waitFor(`curl ${flags[0]} streaming`, () => stream.out.startsWith("retry: "));
    const id = publish(base, "curl.h2", { from: "curl" }, flags);
    await waitFor(`the event in curl ${flags[0]}`, () => stream.out.includes(`id: ${id}\n`));
    await stopProcess(stream.child);
  }

  // nghttp (nghttp2-client): a GET, a POST, and an event stream with its frames.
  {
    const health = execFileSync("nghttp", [`${plainBase}/api/health`]).toString();
    assert.match(health, /"status":"ok"/);
    const body = join(work, "event.json");
    writeFileSync(body, JSON.stringify({ topic: "nghttp.h2", data: { from: "nghttp" } }));
    const posted = execFileSync("nghttp", ["-d", body, "-H", "content-type: application/json",
                                           `${plainBase}/api/publish`]).toString();
    assert.match(posted, /"id":"\d+"/);
    const stream = collect("nghttp", ["-v", `${plainBase}/events?topics=nghttp.h2`]);
    await waitFor("nghttp streaming", () => stream.out.includes("retry: "));
    const id = publish(plainBase, "nghttp.h2", { from: "nghttp" });
    await waitFor("the event in nghttp", () => stream.out.includes(`id: ${id}\n`));
    assert.match(stream.out, /recv SETTINGS frame[\s\S]*SETTINGS_MAX_CONCURRENT_STREAMS\(0x03\):100/);
    await stopProcess(stream.child);
  }

  // Node's http2 client over TLS: a stream and a publish on one session. (To 127.0.0.1, which the
  // certificate names too: Node's http2 does not fall back from ::1 when localhost resolves there
  // first, as it does in a fresh Debian root.)
  {
    const session = http2.connect(`https://127.0.0.1:${tlsPort}`, { ca: readFileSync(caFile) });
    let failure = null;
    session.on("error", error => { failure = error; });
    let streamed = "";
    const events = session.request({ ":path": "/events?topics=node.h2", accept: "text/event-stream" });
    events.setEncoding("utf8");
    events.on("data", chunk => { streamed += chunk; });
    events.on("error", error => { failure = error; });
    await waitFor("the Node h2 stream", () => {
      if (failure) throw failure;
      return streamed.startsWith("retry: ");
    });
    const answer = await new Promise((resolve, reject) => {
      const post = session.request({ ":method": "POST", ":path": "/api/publish", "content-type": "application/json" });
      let data = "";
      post.setEncoding("utf8");
      post.on("data", chunk => { data += chunk; });
      post.on("end", () => resolve(JSON.parse(data)));
      post.on("error", reject);
      post.end(JSON.stringify({ topic: "node.h2", data: { from: "node" } }));
    });
    await waitFor("the event on the Node h2 stream", () => streamed.includes(`id: ${answer.id}\n`));
    events.close();
    session.close();
  }

  console.log(`ok: HTTP/2: Chromium ${Streams}/${Streams} EventSources over h2, 6/${Streams} over HTTP/1.1; ` +
              "curl --http2 and --http2-prior-knowledge, nghttp and Node http2 stream and publish");
}

main()
  .catch(error => { console.error(error); process.exitCode = 1; })
  .finally(async () => {
    for (const child of children) await stopProcess(child);
    rmSync(work, { recursive: true, force: true });
  });
