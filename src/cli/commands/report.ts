// `nnlab report <study> [--out dir]`: the study's report folder — tables (Markdown, CSV), plots (SVG, PNG) and
// one HTML page — recorded as an artifact of the study.
import type { Command } from 'commander';
import path from 'node:path';
import { ConfigError } from '../../engine/errors.js';
import { summarizeStudy, summaryOptionsOf, type StudySummary } from '../../stats/index.js';
import { checkReportDir, classNamesOf, writeReport } from '../../report/write-report.js';
import type { RunRecord, RunStore, StudyRecord } from '../../store/index.js';
import type { EpochLog } from '../../record/history.js';
import { humanStream, homeDir, printJson, requireStudy, say, storeFrom } from '../context.js';
import { epochsFor } from './compare.js';
import { summarizeTune } from '../../tune/summary.js';
import { visible } from '../../report/format.js';

/** Checks a report folder before any work: a usage error (exit 2) when it cannot be written. */
export function reportDirOption(dir: string): string {
  try {
    return checkReportDir(dir);
  } catch (e) {
    throw new ConfigError('--report', (e as Error).message);
  }
}

export async function writeStudyReport(
  dir: string,
  input: { study: StudyRecord | null; runs: RunRecord[]; epochsByRun: Map<number, EpochLog[]>; summary: StudySummary; store: RunStore },
): Promise<string> {
  const classes = classNamesOf(input.runs);
  const tune = input.study?.kind === 'tune' ? summarizeTune(input.study, input.runs, input.epochsByRun) : undefined;
  const result = await writeReport(dir, { study: input.study, runs: input.runs, epochsByRun: input.epochsByRun, summary: input.summary, tune }, { classNames: classes });
  await input.store.addArtifact({ runId: null, studyId: input.study?.id ?? null, kind: 'report', path: result.dir });
  return result.dir;
}

export function registerReport(program: Command): void {
  program
    .command('report <study>')
    .description('write the report of a study (id or name): Markdown and CSV tables, SVG/PNG plots, one HTML page')
    .option('--out <dir>', 'the report folder (default .nnlab/reports/<study>)')
    .option('--store <url>', 'run store (default .nnlab/runs.db)')
    .option('--json', 'end with one line of JSON')
    .action(async (ref: string, opts: { out?: string; store?: string; json?: boolean }) => {
      const store = await storeFrom(opts);
      try {
        const study = await requireStudy(store, ref);
        const dir = reportDirOption(opts.out ?? path.join(homeDir(), 'reports', `study-${study.id}`));
        const runs = await store.listRuns({ studyId: study.id });
        const epochsByRun = await epochsFor(store, runs);
        const summary = summarizeStudy(runs, epochsByRun, summaryOptionsOf(study));
        const written = await writeStudyReport(dir, { study, runs, epochsByRun, summary, store });
        say(humanStream(opts.json), `report of study ${study.id} (${visible(study.name)}, ${runs.length} runs): ${path.join(written, 'report.html')}`);
        if (opts.json) printJson({ study: study.id, reportDir: written });
      } finally {
        await store.close();
      }
    });
}
