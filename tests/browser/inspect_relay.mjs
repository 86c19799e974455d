// Chromium through `pushboard inspect`: the built-in page's EventSource and a WebSocket opened in
// the page go through the relay to `pushboard serve`; the relay must pass them on unchanged (the
// page gets its events, the socket its messages) and decode what Chromium really sends: its
// request heads, the SSE events, its masked frames, the permessage-deflate offer the server
// declines, the accept check, a Close 1000; nothing malformed.
//   node inspect_relay.mjs /path/to/pushboard
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import puppeteer from "puppeteer-core";
import { stopProcess, waitFor } from "./helpers.mjs";

const binary = process.argv[2];
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
const dataDir = mkdtempSync(join(tmpdir(), "pushboard-browser-inspect-"));
const topic = "browser.inspect";

function freePort() {
  return new Promise(resolve => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function start(args, ready) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", c => { out += c; });
    child.stderr.on("data", c => { err += c; if (ready.test(err)) resolve({ child, output: () => out }); });
    child.stdout.on("data", () => { if (ready.test(out)) resolve({ child, output: () => out }); });
    child.on("exit", code => reject(new Error(`${args[0]} exited with ${code}: ${err}`)));
  });
}

async function main() {
  const serverPort = await freePort();
  const relayPort = await freePort();
  const server = await start(["serve", "--port", String(serverPort), "--data-dir", dataDir, "--interval", "3600000"], /listening on/);
  const relay = await start(["inspect", "--listen", String(relayPort), "--upstream", `http://127.0.0.1:${serverPort}`], /relaying/);
  const browser = await puppeteer.launch({
    executablePath: chromium, headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${relayPort}/?topics=${topic}`);
    const publish = async n => {
      const res = await fetch(`http://127.0.0.1:${serverPort}/api/publish`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ topic, data: { n } }) });
      assert.equal(res.status, 202);
      return (await res.json()).id;
    };
    await waitFor("the page's stream to open", async () => (await page.$eval("#state", el => el.textContent)) === "open");
    const ids = [await publish(1), await publish(2)];
    await waitFor("events in the page", () => page.evaluate(() => window.pushboard.events.length === 2));

    // A WebSocket from the page, through the relay: subscribe, get the two events, close 1000.
    const messages = await page.evaluate(port => new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
      const got = [];
      ws.onopen = () => ws.send(JSON.stringify({ op: "subscribe", topics: ["browser.inspect"], after: "0" }));
      ws.onmessage = m => {
        const op = JSON.parse(m.data).op;
        got.push(op);
        if (got.filter(o => o === "event").length === 2) ws.close(1000, "done");
      };
      ws.onclose = e => resolve({ got, code: e.code });
      ws.onerror = () => reject(new Error("websocket error"));
    }), relayPort);
    assert.equal(messages.code, 1000);
    assert.equal(messages.got.filter(o => o === "event").length, 2);

    await waitFor("the relay to print the close", () => /"ws close"/.test(relay.output()) && /"kind":"ws close".*"direction":"receive"|"direction":"receive".*"kind":"ws close"/.test(relay.output()));
    await stopProcess(relay.child);
    const items = relay.output().trim().split("\n").map(l => JSON.parse(l)).filter(o => o.kind);

    assert.ok(!items.some(i => i.kind === "malformed" || i.kind === "bytes"), "nothing malformed");
    const sseRequest = items.find(i => i.kind === "http request" && i.summary.startsWith("GET /events"));
    assert.ok(sseRequest, "Chromium's EventSource request");
    assert.ok(sseRequest.fields.some(f => f.name.toLowerCase() === "accept" && f.value === "text/event-stream"));
    const events = items.filter(i => i.kind === "sse event" && i.event.type === topic);
    assert.deepEqual(events.map(e => e.event.lastEventId), ids);

    const upgrade = items.find(i => i.kind === "http request" && i.summary.startsWith("GET /ws"));
    assert.ok(upgrade.fields.some(f => f.name === "Sec-WebSocket-Extensions" && /permessage-deflate/.test(f.value)),
              "Chromium offers permessage-deflate");
    const switching = items.find(i => i.kind === "http response" && i.summary.includes("101"));
    assert.ok(switching.fields.some(f => f.name === "accept check" && f.value === "matches the key"));
    const sent = items.filter(i => i.kind.startsWith("ws") && i.direction === "send");
    assert.ok(sent.length >= 2 && sent.every(i => i.ws.masked && i.ws.maskingKey.length === 8), "every frame from Chromium masked");
    assert.ok(sent.some(i => i.kind === "ws close" && i.ws.closeCode === 1000), "Chromium's Close 1000");
    const received = items.filter(i => i.kind.startsWith("ws") && i.direction === "receive");
    assert.ok(received.every(i => !i.ws.masked), "no server frame masked");
    assert.equal(received.filter(i => i.kind === "ws text" && /"op":"event"/.test(Buffer.from(i.ws.message, "base64").toString())).length, 2);
    console.log(`ok: ${items.length} items from Chromium's SSE and WebSocket through the relay, none malformed`);
  } finally {
    await browser.close();
    await stopProcess(relay.child);
    await stopProcess(server.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch(error => { console.error(error); process.exit(1); });
