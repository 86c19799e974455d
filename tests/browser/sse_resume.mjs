// A real browser's EventSource against `pushboard serve`: the built-in page receives live events,
// and after the server is stopped and started again the browser reconnects by itself, sends
// Last-Event-ID, and receives the events it missed exactly once.
//   node sse_resume.mjs /path/to/pushboard
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import puppeteer from "puppeteer-core";
import { stopProcess, waitFor } from "./helpers.mjs";

const binary = process.argv[2];
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
const dataDir = mkdtempSync(join(tmpdir(), "pushboard-browser-"));
const topic = "browser.test";
let server;

function startServer(port) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ["serve", "--port", String(port), "--data-dir", dataDir, "--interval", "3600000"],
                        { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", chunk => {
      out += chunk;
      const match = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.on("exit", code => reject(new Error(`pushboard serve exited with ${code}: ${out}`)));
  });
}

async function publish(port, n) {
  const res = await fetch(`http://127.0.0.1:${port}/api/publish`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ topic, data: { n } }),
  });
  assert.equal(res.status, 202);
  return (await res.json()).id;
}

async function sseConnections(port) {
  const res = await fetch(`http://127.0.0.1:${port}/api/connections`);
  return (await res.json()).connections.filter(c => c.transport === "sse").length;
}

async function main() {
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
  try {
    server = await startServer(0);
    const port = server.port;
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/?topics=${topic}`);
    const received = () => page.evaluate(() => window.pushboard.events.map(e => e.id));
    await waitFor("the page's stream to open", async () => (await sseConnections(port)) === 1);

    const live = [await publish(port, 1), await publish(port, 2), await publish(port, 3)];
    await waitFor("live events in the page", async () => (await received()).length === 3);
    assert.deepEqual(await received(), live);

    // Stop the server; publish while the browser is away (it waits `retry: 2000` ms).
    await stopProcess(server.child);
    server = await startServer(port);
    const missed = [await publish(port, 4), await publish(port, 5), await publish(port, 6)];
    assert.equal(await sseConnections(port), 0, "the browser reconnected before the missed events were published");

    await waitFor("the browser to reconnect and replay", async () => (await received()).length >= 6);
    const more = [await publish(port, 7)];
    await waitFor("a live event after the replay", async () => (await received()).length >= 7);
    await new Promise(r => setTimeout(r, 300)); // let any duplicate arrive, so that it would be seen
    assert.deepEqual(await received(), [...live, ...missed, ...more], "each event exactly once, in order");

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, /^pushboard_replays_total\{transport="sse"\} 1$/m, "the reconnect was a Last-Event-ID resume");
    const state = await page.$eval("#state", el => el.textContent);
    assert.equal(state, "open");
    console.log(`ok: browser received ${live.length} live, ${missed.length} missed (replayed), ${more.length} live again`);
  } finally {
    await browser.close();
    if (server) await stopProcess(server.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch(error => { console.error(error); process.exit(1); });
