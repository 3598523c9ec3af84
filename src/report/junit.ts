import type { StrainResult } from '../result/schema.js';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export interface Case {
  name: string;
  classname: string;
  failure: string | undefined;
  /** The case could not be judged at all (an invalid profile, a run that did not start). */
  error?: string | undefined;
}

/**
 * JUnit XML for CI: each threshold judgement and each compared metric is a
 * test case; faults, leaks and drift are cases too, so CI shows them.
 */
export function junitXml(r: StrainResult): string {
  const cases = junitCases(r);
  const failures = cases.filter((c) => c.failure !== undefined).length;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="strain" tests="${cases.length}" failures="${failures}" time="${(r.meta.durationMs / 1000).toFixed(3)}">
${testsuiteXml(r.name, cases, r.meta.durationMs, r.meta.startedAt)}
</testsuites>
`;
}

/** A run's test cases: its thresholds, baseline metrics, endurance verdicts and its completion. */
export function junitCases(r: StrainResult): Case[] {
  const cases: Case[] = [];
  for (const t of r.thresholds) {
    cases.push({
      classname: `strain.${r.name}.thresholds`,
      name: `${t.metric} ${t.expression} [${t.scope}]`,
      failure: t.passed ? undefined : `actual ${t.actual === null ? 'no data' : t.actual}`,
    });
  }
  for (const m of r.comparison?.metrics ?? []) {
    cases.push({
      classname: `strain.${r.name}.baseline`,
      name: `${m.metric} against baseline`,
      failure: m.verdict === 'regressed' ? `regressed: ${m.reason}` : undefined,
    });
  }
  for (const h of r.endurance?.heap ?? []) {
    cases.push({ classname: `strain.${r.name}.endurance`, name: `heap of worker ${h.workerId} does not leak`, failure: h.trend.verdict === 'leak' ? h.trend.reason : undefined });
  }
  if (r.endurance) {
    cases.push({ classname: `strain.${r.name}.endurance`, name: 'latency does not drift', failure: r.endurance.latency.verdict === 'drift' ? r.endurance.latency.reason : undefined });
  }
  cases.push({
    classname: `strain.${r.name}.run`,
    name: 'run completes without worker faults',
    failure: r.status !== 'completed' || r.faults.length ? `${r.status}; ${r.faults.length} fault(s)` : undefined,
  });
  return cases;
}

/** One <testsuite> element (indented for a <testsuites> parent). */
export function testsuiteXml(name: string, cases: Case[], durationMs: number, timestamp: string): string {
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const errors = cases.filter((c) => c.error !== undefined).length;
  const seconds = (durationMs / 1000).toFixed(3);
  const body = cases
    .map((c) => {
      const inner = c.error !== undefined
        ? `\n      <error message="${esc(c.error)}">${esc(c.error)}</error>\n    `
        : c.failure !== undefined ? `\n      <failure message="${esc(c.failure)}">${esc(c.failure)}</failure>\n    ` : '';
      return `    <testcase classname="${esc(c.classname)}" name="${esc(c.name)}" time="0">${inner}</testcase>`;
    })
    .join('\n');
  return `  <testsuite name="${esc(name)}" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${seconds}" timestamp="${esc(timestamp)}">
${body}
  </testsuite>`;
}
