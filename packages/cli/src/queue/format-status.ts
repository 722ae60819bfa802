import type { RunStatus, WorkerHeartbeat } from '@rs/queue';
import { formatDuration } from '../progress.js';

/**
 * `rsmooth queue status` as text: one block per run, then the workers alive.
 */
export function formatQueueStatus(s: { runs: RunStatus[]; workers: WorkerHeartbeat[] }, where: string, now = Date.now()): string {
  const lines: string[] = [
    `queue ${where}: ${s.runs.length} run${s.runs.length === 1 ? '' : 's'}, ${s.workers.length} worker${s.workers.length === 1 ? '' : 's'} alive`,
  ];
  for (const r of s.runs) {
    const st = r.settings;
    const what = [st.command, st.sigma !== undefined ? `sigma ${st.sigma}` : '', st.n !== undefined ? `n ${st.n}` : ''].filter(Boolean).join(', ');
    const pct = r.total > 0 ? Math.floor((100 * r.stored) / r.total) : 0;
    lines.push('');
    lines.push(`run ${r.runId} (${what}): ${r.state}; ${r.stored}/${r.total} inputs stored (${pct}%)`);
    lines.push(
      `  jobs: ${r.waiting} waiting, ${r.active} running, ${r.delayed} retrying, ${r.failed} failed; ${r.workers.length} worker${r.workers.length === 1 ? '' : 's'} on it`,
    );
    lines.push(`  submitted by ${r.submitter} ${r.created ? `${formatDuration((now - r.created) / 1000)} ago` : ''}`.trimEnd());
    for (const f of r.failures)
      lines.push(`  failed: job ${f.jobId} (idx ${f.inputs.join(', ')}) after ${f.attempts} attempt${f.attempts === 1 ? '' : 's'}: ${f.reason}`);
    if (r.failed > r.failures.length) lines.push(`  ... and ${r.failed - r.failures.length} more failed jobs`);
    for (const x of r.refusals) lines.push(`  refused by ${x.worker} at ${x.at}: ${x.reason}`);
  }
  if (s.workers.length > 0) {
    lines.push('');
    lines.push('workers:');
    for (const w of s.workers) {
      const d = w.details;
      const detail = Object.entries(d)
        .map(([k, v]) => `${k} ${String(v)}`)
        .join(', ');
      lines.push(
        `  ${w.host}:${w.pid} ${w.state}${w.run ? ` on run ${w.run.slice(0, 12)}` : ''}: ${w.inputsDone} inputs in ${w.jobsDone} jobs${w.jobsFailed ? ` (${w.jobsFailed} failed attempts)` : ''}, ${Math.round(w.samplesPerSecond).toLocaleString('en-US')} samples/s${w.current.length ? `, now idx ${w.current.join(', ')}` : ''}; last heartbeat ${((now - w.lastSeen) / 1000).toFixed(1)} s ago`,
      );
      lines.push(`    id ${w.id}; ${detail}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
