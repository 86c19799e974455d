// The lab's six-connection scenario in a real browser: `pushboard lab six-connections --json`
// starts Chromium itself (headless, a page of twenty EventSources) against the lab's own
// servers. Over HTTP/1.1 the server sees six streams on six connections, the other fourteen
// wait in the browser; over HTTP/2 all twenty run on one connection. Each stream that gets the
// probe event tells the lab's page server, so what the browser received is counted too. The Qt
// client's parts of the same run must agree.
//   node lab_six_connections.mjs /path/to/pushboard
import { execFileSync } from "node:child_process";
import assert from "node:assert/strict";

const binary = process.argv[2];
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
const out = execFileSync(binary, ["lab", "six-connections", "--json", "--chromium", chromium],
                         { stdio: ["ignore", "pipe", "inherit"], timeout: 150_000 }).toString();
const result = JSON.parse(out);
const lane = name => {
  const figures = result.transports[name];
  assert.ok(figures, `the run has a ${name} lane: ${out}`);
  assert.equal(figures.error, undefined, `${name}: ${figures.error}`);
  return figures;
};
for (const client of ["qt", "chromium"]) {
  const h1 = lane(`${client}-h1`);
  assert.equal(h1.streamsOpen, 6, `${client} over HTTP/1.1: six streams`);
  assert.equal(h1.tcpConnections, 6, `${client} over HTTP/1.1: six connections`);
  assert.equal(h1.received, 6, `${client} over HTTP/1.1: six streams got the probe event`);
  const h2 = lane(`${client}-h2`);
  assert.equal(h2.streamsOpen, 20, `${client} over HTTP/2: every stream`);
  assert.equal(h2.tcpConnections, 1, `${client} over HTTP/2: one connection`);
  assert.equal(h2.received, 20, `${client} over HTTP/2: every stream got the probe event`);
  assert.equal(h2.protocol, "h2");
}
console.log("six-connections: HTTP/1.1 6 of 20 on 6 connections, HTTP/2 20 of 20 on 1, in Chromium and Qt");
