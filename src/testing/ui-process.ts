// `nnlab ui` in a child process, for the CLI tests and the dashboard bench: resolves once it has printed its
// address, with the seconds that took; stop() sends Ctrl-C and resolves with the exit code.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../engine/native.js';

export interface UiProcess {
  url: string;
  /** From the spawn to the printed address. */
  seconds: number;
  /** What it wrote to stderr so far. */
  stderr(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const cli = path.join(packageRoot, 'dist', 'src', 'cli', 'main.js');

export function startUi(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<UiProcess> {
  const started = performance.now();
  const child = spawn(process.execPath, [cli, 'ui', ...args], { cwd: options.cwd, env: options.env ?? process.env });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const url = /at (http:\/\/\S+)/.exec(out)?.[1];
      if (url) {
        resolve({ url, seconds: (performance.now() - started) / 1000, stderr: () => err, stop: (signal = 'SIGINT') => (child.kill(signal), exit) });
      }
    });
    void exit.then((code) => reject(new Error(`nnlab ui exited (${code}) before serving: ${err}`)));
  });
}
