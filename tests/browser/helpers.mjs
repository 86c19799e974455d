// Shared by the browser tests: waiting for a condition, and stopping a child process cleanly.

/// Polls `predicate` (sync or async) every 50 ms until it is true; throws after `timeoutMs` (a
/// give-up time for a broken program, not a measurement).
export async function waitFor(what, predicate, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 50));
  }
}

/// SIGTERM, and resolves once the child has exited (at once if it already has).
export function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise(resolve => { child.removeAllListeners("exit"); child.once("exit", resolve); child.kill("SIGTERM"); });
}
