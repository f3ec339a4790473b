// The addon serves one thread per process (native/src/addon.cc): its tensor and op tables are unlocked, so a
// second worker_threads thread is refused with an error naming both threads, and the owner keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { ops, tensor, tidy } from '../tensor/index.js';

const tensorModule = new URL('../tensor/index.js', import.meta.url).href;
const nativeModule = new URL('./native.js', import.meta.url).href;

/** Runs `body` (CommonJS, with `post(value)`) in a worker and resolves with what it posted, or its error. */
function inWorker(body: string): Promise<{ ok: boolean; name?: string; code?: string; message?: string; value?: unknown }> {
  const code = `
    const { parentPort } = require('node:worker_threads');
    const post = (value) => parentPort.postMessage({ ok: true, value });
    (async () => { ${body} })().catch((e) => parentPort.postMessage({ ok: false, name: e.name, code: e.code, message: e.message }));
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true });
    worker.once('message', (m) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the worker exited (${code}) without an answer`)));
  });
}

test('a worker thread that loads the addon while the main thread owns it gets a clear error; the main thread keeps working', async () => {
  // This file's imports loaded the addon in the main thread: it owns it.
  tidy(() => assert.deepEqual(ops.add(tensor([1, 2]), 1).toNumbers(), [2, 3]));
  const r = await inWorker(`
    const { ops, tensor } = await import(${JSON.stringify(tensorModule)});
    post(ops.add(tensor([1, 2]), 1).toNumbers());
  `);
  assert.equal(r.ok, false, `the worker computed ${JSON.stringify(r.value)} with the main thread's addon`);
  assert.equal(r.name, 'AddonError');
  assert.equal(r.code, 'NNLAB_ADDON_THREAD');
  assert.match(
    r.message!,
    /^nnlab's native addon serves one thread per process; it is already in use by thread 0 \(the main thread\), so thread \d+ \(a worker thread\) cannot load it/,
  );
  // Asking again (a fresh load attempt) is refused the same way, not half-loaded.
  const again = await inWorker(`
    const { getNative } = await import(${JSON.stringify(nativeModule)});
    try { getNative(); } catch { }
    getNative();
  `);
  assert.equal(again.code, 'NNLAB_ADDON_THREAD');
  tidy(() => {
    assert.deepEqual(ops.mul(tensor([1, 2, 3]), 2).toNumbers(), [2, 4, 6]);
    assert.equal(ops.sum(ops.matmul(tensor([[1, 2]]), tensor([[3], [4]]))).item(), 11);
  });
});

test('the first thread to load the addon owns it, also when that is a worker; it gives it up when it exits', () => {
  // In a fresh process, so that the main thread has not loaded the addon: a worker loads it first and holds a
  // tensor; the main thread is refused while the worker lives, and owns the addon once the worker has exited.
  const script = `
    import { Worker } from 'node:worker_threads';
    import { once } from 'node:events';
    const { getNative } = await import(${JSON.stringify(nativeModule)});
    const worker = new Worker(\`
      const { parentPort } = require('node:worker_threads');
      import(${JSON.stringify(tensorModule)}).then(({ ops, tensor, liveTensors }) => {
        globalThis.kept = ops.add(tensor([1, 2]), 1);
        parentPort.postMessage({ values: globalThis.kept.toNumbers(), live: liveTensors().tensors });
        parentPort.once('message', () => process.exit(0));
      });
    \`, { eval: true, execArgv: [] });
    const [fromWorker] = await once(worker, 'message');
    let refused = null;
    try { getNative(); } catch (e) { refused = { code: e.code, message: e.message }; }
    worker.postMessage('exit');
    await once(worker, 'exit');
    const { ops, tensor, liveTensors } = await import(${JSON.stringify(tensorModule)});
    const live = liveTensors().tensors;
    console.log(JSON.stringify({ fromWorker, refused, live, values: ops.add(tensor([1, 2]), 10).toNumbers() }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    fromWorker: { values: number[]; live: number };
    refused: { code: string; message: string } | null;
    live: number;
    values: number[];
  };
  assert.deepEqual(out.fromWorker.values, [2, 3]);
  assert.ok(out.fromWorker.live >= 2);
  assert.equal(out.refused?.code, 'NNLAB_ADDON_THREAD');
  assert.match(out.refused!.message, /already in use by thread \d+ \(a worker thread\), so thread 0 \(the main thread\) cannot load it/);
  assert.equal(out.live, 0, "the worker's tensors were freed when it exited");
  assert.deepEqual(out.values, [11, 12]);
});
