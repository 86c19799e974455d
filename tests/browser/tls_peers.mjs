// `pushboard serve --tls-self-signed` against the TLS clients people use: Node's https (health,
// an SSE stream, a chunked publish), curl and Python with the local CA, every one refusing the
// certificate without it, and Chromium (trusting the certificate's key by its SPKI hash) with its
// own EventSource on the built-in page and a WebSocket over wss://.
//   node tls_peers.mjs /path/to/pushboard
import { spawn, execFileSync } from "node:child_process";
import { X509Certificate, createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import puppeteer from "puppeteer-core";
import { stopProcess, waitFor } from "./helpers.mjs";

const binary = process.argv[2];
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
const dataDir = mkdtempSync(join(tmpdir(), "pushboard-tls-"));
const topic = "tls.peer";
let server;

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ["serve", "--port", "0", "--data-dir", dataDir, "--interval", "3600000",
                                 "--tls-self-signed"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", chunk => {
      out += chunk;
      const port = out.match(/listening on https:\/\/127\.0\.0\.1:(\d+)/);
      const fingerprint = out.match(/SHA-256 ([0-9A-F:]{95})/);
      if (port && fingerprint) resolve({ child, port: Number(port[1]), fingerprint: fingerprint[1] });
    });
    child.on("exit", code => reject(new Error(`pushboard serve exited with ${code}: ${out}`)));
  });
}

function request(port, path, { ca, method = "GET", body, chunked = false } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: "127.0.0.1", servername: "localhost", port, path, method, ca,
                                headers: chunked ? {} : (body ? { "Content-Length": Buffer.byteLength(body) } : {}) },
                              res => {
      let data = "";
      res.on("data", chunk => { data += chunk; });
      res.on("end", () => resolve({ status: res.statusCode, body: data }));
    });
    req.on("error", reject);
    if (body) req.write(body); // without Content-Length: Node sends it chunked
    req.end();
  });
}

async function main() {
  server = await startServer();
  const { port, fingerprint } = server;
  const caFile = join(dataDir, "tls-ca.pem");
  const ca = readFileSync(caFile);
  const certificate = new X509Certificate(readFileSync(join(dataDir, "tls-cert.pem")));
  assert.equal(certificate.fingerprint256, fingerprint, "the printed fingerprint is the served certificate's");

  // Node: trusted with the CA, refused without it.
  const health = await request(port, "/api/health", { ca });
  assert.equal(health.status, 200);
  assert.equal(JSON.parse(health.body).status, "ok");
  await assert.rejects(request(port, "/api/health"), { code: "SELF_SIGNED_CERT_IN_CHAIN" });

  // Node: an SSE stream over TLS receives an event published with a chunked body.
  let streamed = "";
  const stream = https.get({ host: "127.0.0.1", servername: "localhost", port, ca,
                             path: `/events?topics=${topic}`, headers: { Accept: "text/event-stream" } },
                           res => { res.on("data", chunk => { streamed += chunk; }); });
  await waitFor("the Node stream to open", () => streamed.startsWith("retry: 2000"));
  const published = await request(port, "/api/publish",
                                  { ca, method: "POST", chunked: true, body: JSON.stringify({ topic, data: { from: "node" } }) });
  assert.equal(published.status, 202);
  await waitFor("the event on the Node stream", () => streamed.includes('"from":"node"'));
  stream.destroy();

  // curl and Python with the CA file; curl without it fails with its certificate error (60).
  const curlHealth = execFileSync("curl", ["-sS", "--cacert", caFile, `https://localhost:${port}/api/health`]).toString();
  assert.match(curlHealth, /"status":"ok"/);
  assert.throws(() => execFileSync("curl", ["-sS", `https://localhost:${port}/api/health`], { stdio: "pipe" }),
                error => error.status === 60);
  const python = execFileSync("python3", ["-c", `
import http.client, ssl
context = ssl.create_default_context(cafile=${JSON.stringify(caFile)})
connection = http.client.HTTPSConnection("localhost", ${port}, context=context)
connection.request("GET", "/api/topics")
answer = connection.getresponse()
print(answer.status, answer.read().decode())
`]).toString();
  assert.match(python, /^200 \{"topics":/);

  // Chromium, trusting the certificate's public key: the built-in page's EventSource and a
  // WebSocket over wss://.
  const spki = createHash("sha256").update(certificate.publicKey.export({ type: "spki", format: "der" })).digest("base64");
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", `--ignore-certificate-errors-spki-list=${spki}`],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`https://localhost:${port}/?topics=${topic}`);
    const received = () => page.evaluate(() => window.pushboard.events.map(e => e.id));
    await waitFor("the page's stream to open", async () =>
      (await request(port, "/api/connections", { ca })).body.includes('"transport":"sse"'));
    const sent = await request(port, "/api/publish",
                               { ca, method: "POST", body: JSON.stringify({ topic, data: { from: "chromium" } }) });
    const id = JSON.parse(sent.body).id;
    await waitFor("the event in Chromium", async () => (await received()).includes(id));

    const wsState = await page.evaluate(port => new Promise((resolve, reject) => {
      const ws = new WebSocket(`wss://localhost:${port}/ws`);
      ws.onmessage = message => { resolve(JSON.parse(message.data).op); ws.close(); };
      ws.onerror = () => reject(new Error("wss failed"));
    }), port);
    assert.equal(wsState, "state");
  } finally {
    await browser.close();
  }
  console.log(`ok: TLS on port ${port} (certificate ${fingerprint.slice(0, 11)}...): Node https, curl, ` +
              "Python, Chromium EventSource and WebSocket");
}

main()
  .catch(error => { console.error(error); process.exitCode = 1; })
  .finally(async () => {
    if (server) await stopProcess(server.child);
    rmSync(dataDir, { recursive: true, force: true });
  });
