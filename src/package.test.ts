// The npm package as users get it: `import { ... } from 'nnlab'` (and the per-layer entries) resolves to the
// built library with its types, and the package ships no tests or test support.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import semver from 'semver';
import path from 'node:path';
import { test } from 'node:test';
import { packageRoot } from './engine/native.js';

test('the package ships the library, the addon sources, schema and dashboard assets, and no tests', () => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: packageRoot, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
  for (const f of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'dist/src/web/client/app.js', 'src/web/assets/style.css', 'native/src/addon.cc', 'binding.gyp', 'package.json']) {
    assert.ok(files.includes(f), `${f} is in the package`);
  }
  assert.deepEqual(files.filter((f) => /\.test\.|^dist\/src\/testing\/|^dist\/bench\//.test(f)), [], 'no tests, test support or benchmarks');
});

test("import from 'nnlab' and 'nnlab/<layer>' gives the library, typed", () => {
  const script = `
    const m = await import('nnlab');
    const t = await import('nnlab/tensor');
    const store = await import('nnlab/store');
    const model = new m.Sequential({ inputShape: [4], layers: [{ type: 'dense', units: 3 }] });
    const y = model.forward(m.ones([2, 4]), { training: false });
    console.log(JSON.stringify({ shape: y.shape, same: t.Tensor === m.Tensor, openStore: typeof store.openStore, run: typeof m.runExperiment, ui: typeof m.startDashboard }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: packageRoot, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), { shape: [2, 3], same: true, openStore: 'function', run: 'function', ui: 'function' });

  // The types resolve through the same exports (a user's TypeScript, NodeNext resolution).
  const dir = mkdtempSync(path.join(packageRoot, '.build-typecheck-'));
  try {
    writeFileSync(
      path.join(dir, 'use.ts'),
      `import { Sequential, Trainer, ones, type Tensor } from 'nnlab';\nimport { openStore } from 'nnlab/store';\n` +
        `const m: Sequential = new Sequential({ inputShape: [4], layers: [{ type: 'dense', units: 3 }] });\n` +
        `const y: Tensor = m.forward(ones([2, 4]), { training: false });\nvoid y; void Trainer; void openStore;\n` +
        `// @ts-expect-error: a wrong type must be caught, or this check checks nothing\nconst n: number = new Sequential({ inputShape: [4], layers: [] });\nvoid n;\n`,
    );
    const tsc = path.join(packageRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const c = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', path.join(dir, 'use.ts')], { cwd: packageRoot, encoding: 'utf8' });
    assert.equal(c.status, 0, c.stdout + c.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every installed package supports the Node versions the project declares, and the install scripts it needs are allowed', () => {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { engines: { node: string }; allowScripts?: Record<string, boolean> };
  const lock = JSON.parse(readFileSync(path.join(packageRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[]; hasInstallScript?: boolean }> };
  // The oldest Node the project declares, and this one, must be Nodes each package accepts (npm ci warns EBADENGINE otherwise).
  const nodes = [semver.minVersion(pkg.engines.node)!.version, process.version];
  const refused = Object.entries(lock.packages)
    .filter(([name, p]) => name !== '' && p.engines && !Array.isArray(p.engines) && p.engines.node && nodes.some((v) => !semver.satisfies(v, (p.engines as { node: string }).node)))
    .map(([name, p]) => `${name} needs node ${(p.engines as { node: string }).node}`);
  assert.deepEqual(refused, [], `the project declares node ${pkg.engines.node} and runs on ${process.version}`);
  assert.ok(semver.satisfies(process.version, pkg.engines.node), `this Node (${process.version}) is one the project declares`);
  const scripted = Object.entries(lock.packages).filter(([name, p]) => name !== '' && p.hasInstallScript).map(([name]) => name.replace(/^.*node_modules\//, ''));
  assert.deepEqual(scripted.filter((name) => pkg.allowScripts?.[name] === undefined), [], 'each dependency with an install script is declared in allowScripts');
});

test('no product module imports test support: src/testing/ is for tests only (the package leaves it out)', () => {
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'testing') walk(full);
      } else if (/\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        const text = readFileSync(full, 'utf8');
        if (/from '(\.\.\/)+testing\//.test(text)) offenders.push(path.relative(packageRoot, full));
      }
    }
  };
  walk(path.join(packageRoot, 'src'));
  assert.deepEqual(offenders, []);
});
