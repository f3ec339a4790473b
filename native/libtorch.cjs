'use strict';
// libtorch discovery, shared by the addon build (binding.gyp, build.cjs) and `nnlab doctor`.
//
// Order (the first that applies wins):
//   1. LIBTORCH=<dir>           a folder with include/ and lib/ (an unpacked libtorch archive, or a prefix)
//   2. LIBTORCH_USE_PYTORCH=1   the libtorch inside the Python torch package (`python3 -c "import torch"`)
//   3. the system install       Debian's libtorch-dev (/usr/include/ATen, /usr/lib/<multiarch>/libtorch.so)
// An explicit request (1 or 2) that does not hold a libtorch is an error, never a silent fall-back.
// Plain CommonJS without dependencies: it runs before `npm ci` has built anything.

const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const FIXES = [
  'Fixes, in the order nnlab looks:',
  '  1. set LIBTORCH to a folder holding include/ and lib/ of a libtorch (for example an unpacked libtorch archive);',
  '  2. set LIBTORCH_USE_PYTORCH=1 to use the libtorch inside an installed Python torch package;',
  '  3. install the system libtorch: `bash scripts/setup.sh` (Debian: apt-get install libtorch-dev libopenblas0-pthread).',
].join('\n');

class LibtorchNotFound extends Error {
  constructor(problem) {
    super(`libtorch not found: ${problem}\n${FIXES}`);
    this.name = 'LibtorchNotFound';
  }
}

function readVersionHeader(includeDirs) {
  for (const dir of includeDirs) {
    const file = path.join(dir, 'torch', 'version.h');
    if (!fs.existsSync(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    const m = /#define\s+TORCH_VERSION\s+(?:\\\s*)?"([^"]+)"/.exec(text);
    if (m) return m[1];
    const part = (k) => (new RegExp(`#define\\s+TORCH_VERSION_${k}\\s+(\\d+)`).exec(text) || [])[1];
    if (part('MAJOR')) return `${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
  }
  return null;
}

function fromPrefix(root, source) {
  const include = path.join(root, 'include');
  const lib = path.join(root, 'lib');
  const missing = [];
  if (!fs.existsSync(path.join(include, 'ATen', 'ATen.h'))) missing.push(path.join(include, 'ATen', 'ATen.h'));
  if (!fs.existsSync(path.join(lib, 'libtorch_cpu.so')) && !fs.existsSync(path.join(lib, 'libtorch.so'))) {
    missing.push(path.join(lib, 'libtorch_cpu.so'));
  }
  if (missing.length) return { missing };
  const includeDirs = [include, path.join(include, 'torch', 'csrc', 'api', 'include')];
  let version = null;
  const buildVersion = path.join(root, 'build-version');
  if (fs.existsSync(buildVersion)) version = fs.readFileSync(buildVersion, 'utf8').trim();
  return { source, root, includeDirs, libDir: lib, version: version || readVersionHeader(includeDirs), cxx11Abi: cxx11Abi(root, lib), cxxStandard: cxxStandard(root, lib) };
}

/** The oldest libtorch nnlab builds against (its op schemas and C++ API). */
const MIN_VERSION = [1, 13];

/**
 * The libstdc++ ABI libtorch was built with (1: the C++11 ABI; 0: the old one, as in PyTorch wheels before
 * 2.7): the addon must be compiled with the same _GLIBCXX_USE_CXX11_ABI or it fails to link or load. Read from
 * TorchConfig.cmake (what CMake users get), else from the library's symbols; 1 (GCC's default) when unknown.
 */
function cxx11Abi(root, libDir) {
  const configs = [path.join(root, 'share', 'cmake', 'Torch', 'TorchConfig.cmake'), path.join(libDir, 'cmake', 'Torch', 'TorchConfig.cmake')];
  for (const file of configs) {
    if (!fs.existsSync(file)) continue;
    const m = /_GLIBCXX_USE_CXX11_ABI=([01])/.exec(fs.readFileSync(file, 'utf8'));
    if (m) return Number(m[1]);
  }
  try {
    const lib = path.join(libDir, 'libc10.so');
    const symbols = execFileSync('nm', ['-D', '--defined-only', lib], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
    return /__cxx11/.test(symbols) ? 1 : 0;
  } catch {
    return 1;
  }
}

/**
 * The C++ standard to compile the addon with: the one libtorch's TorchConfig.cmake asks of its users (CMake's
 * CXX_STANDARD: 14 for Debian's 1.13, 20 for PyTorch 2.13, whose headers use C++20), and at least
 * 17, which the addon's own code needs.
 */
function cxxStandard(root, libDir) {
  const configs = [path.join(root, 'share', 'cmake', 'Torch', 'TorchConfig.cmake'), path.join(libDir, 'cmake', 'Torch', 'TorchConfig.cmake')];
  for (const file of configs) {
    if (!fs.existsSync(file)) continue;
    const m = /CXX_STANDARD\s+(\d+)/.exec(fs.readFileSync(file, 'utf8'));
    if (m) return Math.max(17, Number(m[1]));
  }
  return 17;
}

/** A libtorch older than MIN_VERSION is refused, saying what was found. */
function checkVersion(found) {
  const m = /^(\d+)\.(\d+)/.exec(found.version || '');
  if (!m) return found;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major < MIN_VERSION[0] || (major === MIN_VERSION[0] && minor < MIN_VERSION[1])) {
    throw new LibtorchNotFound(`the libtorch found (${found.source}, version ${found.version}, in ${found.libDir}) is older than ${MIN_VERSION.join('.')}, the oldest nnlab supports`);
  }
  return found;
}

function multiarch() {
  try {
    return execFileSync('gcc', ['-print-multiarch'], { encoding: 'utf8' }).trim();
  } catch {
    return 'x86_64-linux-gnu';
  }
}

function fromSystem() {
  const include = '/usr/include';
  if (!fs.existsSync(path.join(include, 'ATen', 'ATen.h'))) return null;
  const candidates = [`/usr/lib/${multiarch()}`, '/usr/lib', '/usr/lib64'];
  const libDir = candidates.find((d) => fs.existsSync(path.join(d, 'libtorch_cpu.so')));
  if (!libDir) return null;
  const includeDirs = [path.join(include, 'torch', 'csrc', 'api', 'include')];
  let version = readVersionHeader(includeDirs);
  try {
    // Debian's header says 1.13.0 while the package is 1.13.1: the package version is the one to report.
    const pkg = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'libtorch-dev'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (pkg) version = pkg.replace(/\+.*$/, '');
  } catch {
    /* not a Debian system: keep the header's version */
  }
  return { source: 'system', root: '/usr', includeDirs, libDir, version, systemInclude: true, cxx11Abi: cxx11Abi('/usr', libDir), cxxStandard: cxxStandard('/usr', libDir) };
}

function fromPython() {
  const script = [
    'import json, torch',
    'from torch.utils import cpp_extension as c',
    'print(json.dumps({"include": c.include_paths(), "lib": c.library_paths()[0], "version": torch.__version__,',
    '  "root": __import__("os").path.dirname(torch.__file__), "abi": int(torch._C._GLIBCXX_USE_CXX11_ABI)}))',
  ].join('\n');
  const pythons = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean);
  const errors = [];
  for (const py of pythons) {
    try {
      const out = execFileSync(py, ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const info = JSON.parse(out.trim().split('\n').pop());
      return {
        source: 'python',
        root: info.root,
        includeDirs: info.include,
        libDir: info.lib,
        version: info.version,
        systemInclude: info.include.some((d) => d === '/usr/include'),
        cxx11Abi: info.abi,
        cxxStandard: cxxStandard(info.root, info.lib),
      };
    } catch (e) {
      errors.push(`${py}: ${String(e.stderr || e.message).trim().split('\n').pop()}`);
    }
  }
  throw new LibtorchNotFound(`LIBTORCH_USE_PYTORCH=1 but no Python could import torch (${errors.join('; ')})`);
}

/** Finds libtorch; throws LibtorchNotFound with the list of fixes. */
function discover(env = process.env) {
  if (env.LIBTORCH) {
    const root = path.resolve(env.LIBTORCH);
    if (!fs.existsSync(root)) throw new LibtorchNotFound(`LIBTORCH=${env.LIBTORCH} does not exist`);
    const found = fromPrefix(root, 'LIBTORCH');
    if (found.missing) {
      throw new LibtorchNotFound(`LIBTORCH=${env.LIBTORCH} is not a libtorch folder (missing ${found.missing.join(', ')})`);
    }
    return checkVersion(found);
  }
  if (env.LIBTORCH_USE_PYTORCH === '1') return checkVersion(fromPython());
  const system = fromSystem();
  if (system) return checkVersion(system);
  throw new LibtorchNotFound('LIBTORCH is not set, LIBTORCH_USE_PYTORCH is not 1, and no system libtorch is installed');
}

module.exports = { discover, checkVersion, cxx11Abi, cxxStandard, LibtorchNotFound, FIXES };

// CLI for binding.gyp: `node native/libtorch.cjs includes|libs|defines|std|json`
if (require.main === module) {
  try {
    const found = discover();
    const what = process.argv[2] || 'json';
    if (what === 'includes') {
      console.log(found.includeDirs.join(' '));
    } else if (what === 'defines') {
      console.log(`_GLIBCXX_USE_CXX11_ABI=${found.cxx11Abi ?? 1}`);
    } else if (what === 'std') {
      console.log(`-std=c++${found.cxxStandard ?? 17}`);
    } else if (what === 'libs') {
      const rpath = found.source === 'system' ? [] : [`-Wl,-rpath,${found.libDir}`];
      console.log([`-L${found.libDir}`, ...rpath, '-ltorch', '-ltorch_cpu', '-lc10', '-ldl'].join(' '));
    } else {
      console.log(JSON.stringify(found));
    }
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
