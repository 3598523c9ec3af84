import type { StrainResult } from '../result/schema.js';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

interface Case {
  name: string;
  classname: string;
  failure: string | undefined;
}

/**
 * JUnit XML for CI: each threshold judgement and each compared metric is a
 * test case; faults, leaks and drift are cases too, so CI shows them.
 */
export function junitXml(r: StrainResult): string {
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
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const seconds = (r.meta.durationMs / 1000).toFixed(3);
  const body = cases
    .map((c) => `    <testcase classname="${esc(c.classname)}" name="${esc(c.name)}" time="0">${c.failure === undefined ? '' : `\n      <failure message="${esc(c.failure)}">${esc(c.failure)}</failure>\n    `}</testcase>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="strain" tests="${cases.length}" failures="${failures}" time="${seconds}">
  <testsuite name="${esc(r.name)}" tests="${cases.length}" failures="${failures}" errors="0" time="${seconds}" timestamp="${esc(r.meta.startedAt)}">
${body}
  </testsuite>
</testsuites>
`;
}
