// A real, throwaway PostgreSQL server for tests: Debian's binaries (package `postgresql`), a temporary cluster
// (initdb) in a temp folder, started on a free port with its unix socket in that folder, removed by stop().
// PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user (via runuser) in a
// folder that user owns; as any other user it runs as that user.
import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** Debian installs each major version's server binaries under /usr/lib/postgresql/<version>/bin. */
export const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql';
const SETUP_FIX = 'install them with `bash scripts/setup.sh --dev` (it installs the Debian package postgresql)';
const SUPERUSER = 'nnlab';

export interface PostgresServer {
  /** postgres://nnlab@127.0.0.1:PORT/nnlab_test — a database made for the caller (trust authentication). */
  url: string;
  /** Creates another empty database on the server and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server and removes its cluster folder. Safe to call twice. */
  stop(): Promise<void>;
}

/** The newest server binary folder under `root`, or an error saying how to install one. */
export function findPostgresBinaries(root = DEBIAN_POSTGRES_ROOT): string {
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v)) : [];
  const bin = versions
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(root, v, 'bin'))
    .find((dir) => ['initdb', 'pg_ctl', 'postgres'].every((exe) => existsSync(join(dir, exe))));
  if (!bin) throw new Error(`PostgreSQL server binaries not found (looked for ${root}/*/bin/initdb and pg_ctl): ${SETUP_FIX}`);
  return bin;
}

/** Starts a fresh server; `root` overrides where the binaries are looked for. */
export async function startPostgres(options: { root?: string } = {}): Promise<PostgresServer> {
  const bin = findPostgresBinaries(options.root);
  const owner = process.getuid?.() === 0 ? systemUser('postgres') : null;
  // As root use /tmp: the postgres user must be able to reach the folder.
  const dir = mkdtempSync(join(owner ? '/tmp' : tmpdir(), 'nnlab-pg-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  /** Runs a PostgreSQL program as the cluster's owner. */
  const pgRun = (exe: string, args: string[]) =>
    owner ? run('runuser', ['-u', 'postgres', '--', join(bin, exe), ...args]) : run(join(bin, exe), args);
  const stopSync = () => {
    spawnSync(owner ? 'runuser' : join(bin, 'pg_ctl'), [...(owner ? ['-u', 'postgres', '--', join(bin, 'pg_ctl')] : []), '-D', data, '-m', 'immediate', '-w', 'stop'], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopSync); // a test process that dies early leaves no server behind

  try {
    await pgRun('initdb', ['-D', data, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
    const port = await startOnFreePort(pgRun, data, dir, log);
    const admin = `postgres://${SUPERUSER}@127.0.0.1:${port}`;
    const createDatabase = async (name: string) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name '${name}' (lowercase letters, digits, _)`);
      const client = new pg.Client({ connectionString: `${admin}/postgres` });
      await client.connect();
      try {
        await client.query(`create database ${name}`);
      } finally {
        await client.end();
      }
      return `${admin}/${name}`;
    };
    const url = await createDatabase('nnlab_test');
    let stopped = false;
    return {
      url,
      createDatabase,
      async stop() {
        if (stopped) return;
        stopped = true;
        process.removeListener('exit', stopSync);
        await pgRun('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    const serverLog = existsSync(log) ? `\nserver log:\n${readFileSync(log, 'utf8').slice(-2000)}` : '';
    process.removeListener('exit', stopSync);
    stopSync();
    throw new Error(`could not start a test PostgreSQL server with ${bin}: ${(e as Error).message}${serverLog}`);
  }
}

/** Starts the server on a free port (trying again if another process takes the port first) and returns it. */
async function startOnFreePort(pgRun: (exe: string, args: string[]) => Promise<unknown>, data: string, socketDir: string, log: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    // Durability is pointless for a throwaway server: no fsync, small buffers.
    const settings = `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=16MB`;
    try {
      await pgRun('pg_ctl', ['-D', data, '-l', log, '-o', settings, '-w', '-t', '60', 'start']);
      return port;
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function systemUser(name: string): { uid: number; gid: number } {
  const id = (flag: string) => spawnSync('id', [flag, name], { encoding: 'utf8' });
  const [uid, gid] = [id('-u'), id('-g')];
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(`running as root, the test PostgreSQL server must run as the '${name}' system user, which does not exist: ${SETUP_FIX}`);
  }
  return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
}
