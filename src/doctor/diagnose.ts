/**
 * `strain doctor`'s judgement of the machine facts: one finding per fact, in
 * the spirit of pyperf's `system show`, each with what it means for the
 * figures and one line of advice. Pure: the facts come in, findings go out.
 */
import type { MachineFacts } from './facts.js';

export type Severity = 'ok' | 'note' | 'warn' | 'problem';

export interface Finding {
  check: string;
  severity: Severity;
  fact: string;
  advice?: string;
}

/** Documented in the README (strain doctor). */
export const DOCTOR_LIMITS = { otherCpuPercent: 10, stealPercent: 2, minAvailableBytes: 1024 ** 3, minNodeMajor: 20 };

const gib = (b: number): string => `${(b / 1024 ** 3).toFixed(1)} GiB`;
const pct = (x: number): string => `${x.toFixed(x < 10 ? 1 : 0)}%`;

export function diagnose(f: MachineFacts, limits = DOCTOR_LIMITS): Finding[] {
  const out: Finding[] = [];
  const phys = f.physicalCores === null ? 'physical cores unknown' : `${f.physicalCores} physical`;
  const smt = f.smtActive === null ? '' : f.smtActive ? ', SMT on' : ', SMT off';
  if (f.smtActive) {
    out.push({
      check: 'cores', severity: 'warn', fact: `${f.logicalCores} logical cores (${phys}${smt})`,
      advice: `sibling threads share one core: read a ramp's knee against the ${f.physicalCores ?? 'physical'} cores, or turn SMT off (echo off > /sys/devices/system/cpu/smt/control)`,
    });
  } else {
    out.push({ check: 'cores', severity: 'ok', fact: `${f.logicalCores} logical cores (${phys}${smt}); Node offers ${f.availableParallelism}` });
  }
  if (f.quotaCores !== null && f.quotaCores < f.availableParallelism) {
    out.push({
      check: 'cgroup quota', severity: 'problem', fact: `the cgroup allows ${f.quotaCores} cores of the ${f.availableParallelism} Node reports`,
      advice: `past ${Math.floor(f.quotaCores)} workers the kernel throttles the run: keep concurrency within the quota, or raise cpu.max`,
    });
  } else {
    out.push({ check: 'cgroup quota', severity: 'ok', fact: f.quotaCores === null ? 'no CPU quota (or none readable)' : `quota ${f.quotaCores} cores` });
  }
  if (f.governor === null) out.push({ check: 'governor', severity: 'note', fact: 'no frequency governor readable (a VM, or cpufreq absent)' });
  else if (f.governor !== 'performance') {
    out.push({ check: 'governor', severity: 'warn', fact: `governor ${f.governor}: the frequency follows the load`, advice: 'set the performance governor (cpupower frequency-set -g performance) for repeatable figures' });
  } else out.push({ check: 'governor', severity: 'ok', fact: 'governor performance' });
  if (f.turbo === true) {
    out.push({ check: 'turbo', severity: 'warn', fact: 'turbo boost on: the frequency depends on temperature and on how many cores are busy', advice: 'turn boost off (intel_pstate/no_turbo or cpufreq/boost) so 1 and N workers run at one clock' });
  } else if (f.turbo === false) out.push({ check: 'turbo', severity: 'ok', fact: 'turbo boost off' });
  if (f.virtualMachine) {
    out.push({ check: 'virtual machine', severity: 'note', fact: 'a virtual machine: other tenants can take CPU time (steal)', advice: 'compare versions with paired runs on the same machine, or publish figures from dedicated hardware' });
  }
  if (f.otherCpuPercent === null) out.push({ check: 'load now', severity: 'note', fact: 'the load of other processes cannot be read here' });
  else if (f.otherCpuPercent >= limits.otherCpuPercent) {
    out.push({
      check: 'load now', severity: 'problem', fact: `other processes use ${pct(f.otherCpuPercent)} of a core right now`,
      advice: 'stop them or wait: a run beside them is marked disturbed, and its comparisons are inconclusive',
    });
  } else out.push({ check: 'load now', severity: 'ok', fact: `other processes use ${pct(f.otherCpuPercent)} of a core` });
  if (f.stealPercent !== null && f.stealPercent >= limits.stealPercent) {
    out.push({ check: 'steal', severity: 'warn', fact: `the hypervisor took ${pct(f.stealPercent)} of the CPU time just now`, advice: 'the host is shared and busy: repeat the run later, or use paired comparisons' });
  }
  if (f.memAvailableBytes < limits.minAvailableBytes) {
    out.push({ check: 'memory', severity: 'warn', fact: `${gib(f.memAvailableBytes)} available of ${gib(f.memTotalBytes)}`, advice: 'each worker is an isolate of its own: close other programs or run fewer workers' });
  } else out.push({ check: 'memory', severity: 'ok', fact: `${gib(f.memAvailableBytes)} available of ${gib(f.memTotalBytes)}` });
  const major = Number(/^v(\d+)/.exec(f.node)?.[1] ?? 0);
  if (major < limits.minNodeMajor) {
    out.push({ check: 'node', severity: 'problem', fact: `Node ${f.node}`, advice: `strain supports Node ${limits.minNodeMajor}, 24 and 26` });
  } else {
    const flags = [...f.execArgv, ...(f.nodeOptions ? [`NODE_OPTIONS=${f.nodeOptions}`] : [])];
    const slowing = flags.filter((x) => /--inspect|--cpu-prof|--heap-prof|--prof\b|--jitless|--max-semi-space|--trace/.test(x));
    out.push(slowing.length
      ? { check: 'node', severity: 'warn', fact: `Node ${f.node} with ${slowing.join(' ')}`, advice: 'these flags change what the code costs: run the benchmark without them' }
      : { check: 'node', severity: 'ok', fact: `Node ${f.node}${flags.length ? ` (${flags.join(' ')})` : ''}` });
  }
  return out;
}

export function doctorText(findings: readonly Finding[]): string {
  const tag: Record<Severity, string> = { ok: 'ok     ', note: 'note   ', warn: 'WARN   ', problem: 'PROBLEM' };
  const lines = findings.map((x) => `${tag[x.severity]} ${x.check}: ${x.fact}${x.advice ? `\n        → ${x.advice}` : ''}`);
  const problems = findings.filter((x) => x.severity === 'problem').length;
  const warns = findings.filter((x) => x.severity === 'warn').length;
  lines.push(problems || warns ? `${problems} problem(s), ${warns} warning(s)` : 'this machine is ready to measure');
  return `${lines.join('\n')}\n`;
}
