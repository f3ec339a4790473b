// The engine: libtorch discovery, threads, seeds and devices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from './native.js';
import { blasThreadsUnsettable, getThreads, setThreads, threadsFor } from './threads.js';
import { manualSeed } from './seed.js';
import { cudaInfo, defaultDevice } from './device.js';
import { libtorchInfo } from './libtorch.js';
import { blasInfo } from './blas.js';
import { randn, tidy, zeros } from '../tensor/index.js';
import { torchPython } from '../testing/torch-oracle.js';

const discovery = path.join(packageRoot, 'native', 'libtorch.cjs');

function discover(env: Record<string, string | undefined>) {
  const clean = { ...process.env, LIBTORCH: undefined, LIBTORCH_USE_PYTORCH: undefined, ...env };
  return spawnSync(process.execPath, [discovery, 'json'], { env: clean as NodeJS.ProcessEnv, encoding: 'utf8' });
}

test('discovery: LIBTORCH pointing at a folder without libtorch fails and lists the three fixes', () => {
  const empty = mkdtempSync(path.join(os.tmpdir(), 'nnlab-notorch-'));
  const r = discover({ LIBTORCH: empty });
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`LIBTORCH=${empty} is not a libtorch folder \\(missing .*ATen\\.h`));
  assert.match(r.stderr, /1\. set LIBTORCH/);
  assert.match(r.stderr, /2\. set LIBTORCH_USE_PYTORCH=1/);
  assert.match(r.stderr, /3\. install the system libtorch/);
  const missing = discover({ LIBTORCH: path.join(empty, 'nope') });
  assert.match(missing.stderr, /does not exist/);
});

test('discovery: the system install, and the Python torch install when asked', () => {
  const system = discover({});
  assert.equal(system.status, 0, system.stderr);
  const found = JSON.parse(system.stdout) as { source: string; version: string; libDir: string };
  assert.equal(found.source, 'system');
  assert.match(found.version, /^\d+\.\d+\.\d+/);
  const python = discover({ LIBTORCH_USE_PYTORCH: '1', PYTHON: torchPython() });
  assert.equal(python.status, 0, python.stderr);
  const py = JSON.parse(python.stdout) as { source: string; version: string; includeDirs: string[] };
  assert.equal(py.source, 'python');
  assert.match(py.version, /^\d+\.\d+/);
  assert.ok(py.includeDirs.length >= 1);
});

test('discovery: the C++ ABI and standard come from the libtorch, and a libtorch older than 1.13 is refused', () => {
  const system = JSON.parse(discover({}).stdout) as { cxx11Abi: number; cxxStandard: number };
  assert.equal(system.cxx11Abi, 1, "Debian's libtorch uses the C++11 ABI");
  assert.equal(system.cxxStandard, 17, "Debian's TorchConfig.cmake asks for C++14; the addon needs 17");
  const root = mkdtempSync(path.join(os.tmpdir(), 'nnlab-fake-libtorch-'));
  try {
    mkdirSync(path.join(root, 'include', 'ATen'), { recursive: true });
    mkdirSync(path.join(root, 'lib'));
    mkdirSync(path.join(root, 'share', 'cmake', 'Torch'), { recursive: true });
    writeFileSync(path.join(root, 'include', 'ATen', 'ATen.h'), '');
    writeFileSync(path.join(root, 'lib', 'libtorch_cpu.so'), '');
    writeFileSync(path.join(root, 'share', 'cmake', 'Torch', 'TorchConfig.cmake'), 'set(TORCH_CXX_FLAGS "-D_GLIBCXX_USE_CXX11_ABI=0")\n');
    writeFileSync(path.join(root, 'build-version'), '2.6.0+cpu\n');
    const clean: NodeJS.ProcessEnv = { ...process.env, LIBTORCH: root };
    delete clean.LIBTORCH_USE_PYTORCH;
    const defines = spawnSync(process.execPath, [discovery, 'defines'], { env: clean, encoding: 'utf8' });
    assert.equal(defines.stdout.trim(), '_GLIBCXX_USE_CXX11_ABI=0', 'a pre-C++11-ABI build (PyTorch wheels before 2.7) gets the old ABI');
    const std = () => spawnSync(process.execPath, [discovery, 'std'], { env: clean, encoding: 'utf8' }).stdout.trim();
    assert.equal(std(), '-std=c++17', 'no CXX_STANDARD: the addon\'s own C++17');
    writeFileSync(path.join(root, 'share', 'cmake', 'Torch', 'TorchConfig.cmake'), 'set(TORCH_CXX_FLAGS "-D_GLIBCXX_USE_CXX11_ABI=1")\nset_target_properties(torch PROPERTIES\n    CXX_STANDARD 20\n)\n');
    assert.equal(std(), '-std=c++20', 'a libtorch whose headers need C++20 (PyTorch 2.13) gets it');
    writeFileSync(path.join(root, 'build-version'), '1.12.1\n');
    const old = discover({ LIBTORCH: root });
    assert.notEqual(old.status, 0);
    assert.match(old.stderr, /the libtorch found \(LIBTORCH, version 1\.12\.1, in .*\) is older than 1\.13, the oldest nnlab supports/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the build script refuses to build without libtorch, with the fixes', () => {
  const r = spawnSync(process.execPath, [path.join(packageRoot, 'native', 'build.cjs')], {
    env: { ...process.env, LIBTORCH: '/nonexistent/libtorch' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot build the native addon[\s\S]*LIBTORCH=\/nonexistent\/libtorch does not exist[\s\S]*Fixes/);
});

test('the loaded libtorch and BLAS are reported', () => {
  const info = libtorchInfo();
  assert.match(info.version, /^\d+\.\d+\.\d+/);
  assert.match(info.path, /libtorch/);
  const blas = blasInfo();
  assert.ok(!(blas.isOpenBlas && blas.isMkl));
  // Debian's libtorch: OpenBLAS as libblas.so.3; PyTorch's builds: MKL inside libtorch_cpu.so.
  if (blas.isOpenBlas) assert.match(blas.name, /^OpenBLAS \d+\.\d+/);
  if (blas.isMkl) {
    assert.match(blas.name, /^MKL \d{4}/);
    assert.match(blas.path ?? '', /libtorch_cpu/);
    assert.equal(getThreads().blas, null, "MKL's threads follow intra-op: there is no BLAS count of its own");
  }
  assert.ok(blas.name.length > 0);
});

test('thread settings are applied and read back', () => {
  const before = getThreads();
  try {
    assert.deepEqual(setThreads({ intraOp: 2 }).intraOp, 2);
    assert.equal(getThreads().intraOp, 2);
    if (before.blas !== null) {
      assert.equal(setThreads({ blas: 1 }).blas, 1);
    }
    assert.throws(() => setThreads({ intraOp: 0 }), /positive integer/);
  } finally {
    setThreads({ intraOp: before.intraOp, ...(before.blas !== null ? { blas: before.blas } : {}) });
  }
  assert.deepEqual(threadsFor('dense', 2, false), { intraOp: 1, blas: 2 });
  assert.deepEqual(threadsFor('conv', 2, false), { intraOp: 2, blas: 1 });
  // MKL (inside PyTorch's libtorch) runs in the intra-op pool: it gets the cores, and no BLAS setting is asked.
  assert.deepEqual(threadsFor('dense', 2, true), { intraOp: 2 });
  assert.deepEqual(threadsFor('conv', 2, true), { intraOp: 2 });
});

test('a BLAS without a thread setting (MKL, say) gets a warning that says what to set, not an error', () => {
  assert.equal(blasThreadsUnsettable(2, 'OpenBLAS 0.3.21'), null);
  const why = blasThreadsUnsettable(null, '/opt/torch/lib/libmkl_rt.so');
  assert.match(why!, /the BLAS in use \(\/opt\/torch\/lib\/libmkl_rt\.so\) has no thread setting nnlab can reach .* MKL follows the intra-op threads \(set training\.threads\.intraOp\)/);
});

test('a seed makes random tensors repeat', () => {
  tidy(() => {
    manualSeed(42);
    const a = randn([5]).toNumbers();
    const b = randn([5]).toNumbers();
    manualSeed(42);
    assert.deepEqual(randn([5]).toNumbers(), a);
    assert.notDeepEqual(a, b);
  });
  assert.throws(() => manualSeed(-1), /non-negative integer/);
});

test('devices: CUDA when present, a clear error otherwise', () => {
  const cuda = cudaInfo();
  assert.equal(typeof cuda.available, 'boolean');
  tidy(() => {
    const x = zeros([2, 2]);
    if (cuda.available) {
      assert.equal(defaultDevice(), 'cuda');
      const onGpu = x.to('cuda:0');
      assert.equal(onGpu.device, 'cuda:0');
      assert.equal(onGpu.to('cpu').device, 'cpu');
    } else {
      assert.equal(defaultDevice(), 'cpu');
      assert.throws(() => x.to('cuda:0'), (e: Error) => e.name === 'TorchError' && /CUDA/i.test(e.message));
      assert.throws(() => x.to('tpu:0'), /device/i);
    }
  });
});
