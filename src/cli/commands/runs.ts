// `nnlab runs`: the stored runs, newest first, filtered by study or status.
import type { Command } from 'commander';
import { ConfigError } from '../../engine/errors.js';
import type { StoredRunStatus } from '../../store/index.js';
import { humanStream, parseId, printJson, requireStudy, say, storeFrom } from '../context.js';
import { renderTerminal } from '../../report/terminal.js';
import { visible } from '../../report/format.js';
import { graceSeconds } from '../../store/liveness.js';

const STATUSES: StoredRunStatus[] = ['running', 'completed', 'stopped', 'diverged', 'interrupted', 'pruned', 'failed', 'crashed'];

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list stored runs')
    .option('--study <id>', 'only the runs of this study')
    .option('--status <status>', `only runs with this status (${STATUSES.join(', ')})`)
    .option('--limit <n>', 'at most this many', '50')
    .option('--store <url>', 'run store (default .nnlab/runs.db)')
    .option('--json', 'end with one line of JSON')
    .action(async (opts: { study?: string; status?: string; limit: string; store?: string; json?: boolean }) => {
      if (opts.status && !STATUSES.includes(opts.status as StoredRunStatus)) {
        throw new ConfigError('--status', `unknown status '${opts.status}'; valid: ${STATUSES.join(', ')}`);
      }
      const store = await storeFrom(opts);
      try {
        // Runs whose process died show as crashed, not running forever.
        await store.markCrashed(graceSeconds());
        // A study that is not there is a mistake in the call (exit 2), not an empty list.
        const study = opts.study === undefined ? undefined : await requireStudy(store, String(parseId(opts.study, '--study')), '--study');
        const runs = await store.listRuns({
          studyId: study?.id,
          status: opts.status as StoredRunStatus | undefined,
          limit: parseId(opts.limit, '--limit'),
        });
        const acc = (r: (typeof runs)[number], split: 'val' | 'test') => {
          const v = r.metrics[split]?.accuracy;
          return typeof v === 'number' ? v.toFixed(4) : '';
        };
        say(
          humanStream(opts.json),
          renderTerminal({
            headers: ['id', 'study', 'trial', 'label', 'seed', 'status', 'val acc', 'test acc', 'time (s)', 'started'],
            align: ['right', 'right', 'right', 'left', 'right', 'left', 'right', 'right', 'right', 'left'],
            rows: runs.map((r) => [
              String(r.id),
              r.studyId === null ? '' : String(r.studyId),
              r.trial === null ? '' : String(r.trial),
              visible(r.label),
              String(r.seed),
              r.status,
              acc(r, 'val'),
              acc(r, 'test'),
              r.wallTimeS === null ? '' : r.wallTimeS.toFixed(1),
              r.startedAt,
            ]),
          }),
        );
        if (opts.json) printJson({ runs });
      } finally {
        await store.close();
      }
    });
}
