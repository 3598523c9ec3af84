/**
 * The shipped recipes for running shards under a scheduler: the Kubernetes
 * manifest parses with kubectl, and the shard and merge commands of the
 * manifest and of the GitHub Actions matrix run as written (here, with the
 * scheduler's substitutions done by the test and the plateau shortened).
 * The Slurm script is submitted to a real cluster in slurm.test.ts.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import type { StrainResult } from '../src/result/schema.js';
import { BIN, ROOT, spawnStrain, tempDir } from './helpers.js';

const DEPLOY = path.join(ROOT, 'scenarios', 'deploy');
const MANIFEST = path.join(DEPLOY, 'k8s-indexed-job.yaml');
const WORKFLOW = path.join(DEPLOY, 'github-shards.yml');
/** The recipes' plateau is 8 s; the tests run it for 2 (one override, the same for every shard). */
const SHORT = ['--duration', '2s'];

function kubectl(): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * kubectl maps kinds to resources through the API server's discovery; with
 * no cluster here it reads them from its discovery cache, which this writes
 * (the two API groups the manifest uses, as a server lists them).
 */
function discoveryCache(dir: string, host: string): void {
  const at = path.join(dir, 'discovery', host);
  mkdirSync(path.join(at, 'batch', 'v1'), { recursive: true });
  mkdirSync(path.join(at, 'v1'), { recursive: true });
  const group = (name: string, gv: string) => ({ name, versions: [{ groupVersion: gv, version: 'v1' }], preferredVersion: { groupVersion: gv, version: 'v1' } });
  writeFileSync(path.join(at, 'servergroups.json'), JSON.stringify({ kind: 'APIGroupList', apiVersion: 'v1', groups: [group('', 'v1'), group('batch', 'batch/v1')] }));
  const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
  writeFileSync(path.join(at, 'batch', 'v1', 'serverresources.json'), JSON.stringify({
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'batch/v1', resources: [{ name: 'jobs', singularName: 'job', namespaced: true, kind: 'Job', verbs }],
  }));
  writeFileSync(path.join(at, 'v1', 'serverresources.json'), JSON.stringify({
    kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'persistentvolumeclaims', singularName: 'persistentvolumeclaim', namespaced: true, kind: 'PersistentVolumeClaim', verbs }],
  }));
}

interface K8sObject {
  kind: string;
  metadata: { name: string };
  spec: {
    completionMode?: string; completions?: number; parallelism?: number;
    template?: { spec: { containers: { command: string[]; env?: { name: string; value?: string; valueFrom?: unknown }[] }[] } };
  };
}

function dryRun(bin: string, file: string, cache: string): { status: number | null; out: string; err: string } {
  const r = spawnSync(bin, ['--server=https://127.0.0.1:1', '--token=offline', `--cache-dir=${cache}`, 'create', '--dry-run=client', '--validate=false', '-f', file, '-o', 'yaml'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

function skipOrFail(t: TestContext, why: string): void {
  // .ci/run installs kubectl (Debian's kubernetes-client) where it is missing, so there this cannot skip.
  if (process.env['CI']) assert.fail(why);
  t.skip(why);
}

/** `npx strain` in a recipe is this checkout's CLI. */
const strainArgs = (command: readonly string[]): string[] => {
  assert.deepEqual(command.slice(0, 2), ['npx', 'strain']);
  return command.slice(2);
};

const read = (dir: string): StrainResult => JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8')) as StrainResult;

describe('recipes: a Kubernetes Indexed Job', () => {
  it('parses with kubectl create --dry-run=client, and its shards and merge run as written', async (t) => {
    const bin = kubectl();
    if (!bin) return skipOrFail(t, 'kubectl is missing; apt-get install kubernetes-client');
    const cache = tempDir('strain-kube-');
    discoveryCache(cache, '127.0.0.1_1');
    const r = dryRun(bin, MANIFEST, cache);
    assert.equal(r.status, 0, r.err);
    // What kubectl made of the manifest, one document per object.
    const objects = parseAllDocuments(r.out).map((d) => d.toJS() as K8sObject).filter((o) => o !== null);
    assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`), ['PersistentVolumeClaim/strain-results', 'Job/strain-shards', 'Job/strain-merge']);
    // kubectl refuses what is not a manifest: the check above can fail.
    const broken = path.join(cache, 'broken.yaml');
    writeFileSync(broken, readFileSync(MANIFEST, 'utf8').replace('kind: Job', 'kind: Jobs'));
    assert.notEqual(dryRun(bin, broken, cache).status, 0);

    const shards = objects[1] as K8sObject;
    const merge = objects[2] as K8sObject;
    assert.equal(shards.spec.completionMode, 'Indexed');
    assert.equal(shards.spec.completions, shards.spec.parallelism, 'every shard runs at once: they wait for each other');
    const n = shards.spec.completions as number;
    const container = shards.spec.template!.spec.containers[0]!;
    const args = strainArgs(container.command);
    assert.equal(args[args.indexOf('--shard-count') + 1], String(n));
    const envOf = (o: K8sObject, name: string) => o.spec.template!.spec.containers[0]!.env!.find((e) => e.name === name);
    assert.equal(envOf(merge, 'SHARDS')?.value, String(n));
    assert.equal(envOf(merge, 'RUN')?.value, envOf(shards, 'RUN')?.value);
    assert.ok(envOf(shards, 'JOB_COMPLETION_INDEX')?.valueFrom, 'the index comes from the pod\'s annotation');

    // What the Job controller does: one pod per index, $(VAR) expanded from the container's env, /results the shared volume.
    const results = tempDir('strain-kube-results-');
    const run = envOf(shards, 'RUN')!.value as string;
    const pods = Array.from({ length: n }, (_, i) => {
      const vars: Record<string, string> = { RUN: run, JOB_COMPLETION_INDEX: String(i) };
      const argv = args.map((a) => a.replace(/\$\((\w+)\)/g, (_m, v: string) => vars[v] as string).replace(/^\/results/, results))
        .map((a, k, all) => (all[k - 1] === '--start-at' ? '+1s' : a));
      return spawnStrain([...argv, ...SHORT], ROOT, { ...process.env, JOB_COMPLETION_INDEX: String(i) });
    });
    const exits = await Promise.all(pods.map((p) => p.exit));
    exits.forEach((e, i) => assert.equal(e.code, 0, `pod ${i}: ${pods[i]!.stderr.join('')}`));
    // The merge Job's own shell command, /results mapped the same way.
    const mergeCmd = merge.spec.template!.spec.containers[0]!.command;
    assert.equal(mergeCmd[0], 'sh');
    const script = (mergeCmd[2] as string).replaceAll('/results', results).replace('exec npx strain', `exec "${process.execPath}" "${BIN}"`);
    const m = spawnSync('sh', ['-c', `${script} --quiet --format none`], { env: { ...process.env, RUN: run, SHARDS: String(n) }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(m.status, 0, m.stderr);
    const merged = read(path.join(results, run, 'merged'));
    assert.deepEqual(merged.meta.shards?.held, Array.from({ length: n }, (_, i) => i + 1));
    assert.ok(merged.meta.shards!.pieces.every((p) => read(path.dirname(p.from)).meta.shard?.source === 'kubernetes'));
    assert.equal(merged.steps[0]!.openLoop!.offered, 600);
  });
});

describe('recipes: a GitHub Actions matrix', () => {
  it('the matrix shards and the merge job run as written', async () => {
    const wf = parse(readFileSync(WORKFLOW, 'utf8')) as { jobs: Record<string, { needs?: string | string[]; strategy?: { matrix: { index: number[] } }; steps: { run?: string; with?: Record<string, string> }[] }> };
    const indexes = wf.jobs['shard']!.strategy!.matrix.index;
    const n = indexes.length;
    assert.deepEqual(indexes, Array.from({ length: n }, (_, i) => i + 1));
    assert.equal(wf.jobs['merge']!.needs, 'shard');
    const runLine = wf.jobs['shard']!.steps.map((s) => s.run ?? '').find((l) => l.includes('strain run')) as string;
    const mergeLine = wf.jobs['merge']!.steps.map((s) => s.run ?? '').find((l) => l.includes('strain merge')) as string;
    assert.match(runLine, new RegExp(`--shard \\$\\{\\{ matrix.index \\}\\}/${n}`));
    const work = tempDir('strain-gha-');
    // The plan job's start time, then each matrix job in a checkout of its own, its folder uploaded as an artifact.
    const start = new Date(Date.now() + 3000).toISOString().replace(/\.\d+Z$/, 'Z');
    const errors: string[] = [];
    const shell = (line: string, cwd: string, vars: Record<string, string>): Promise<number | null> => {
      const cmd = line.replace(/\$\{\{ ([\w.]+) \}\}/g, (_m, v: string) => vars[v] as string).replace('npx strain', `"${process.execPath}" "${BIN}"`);
      const child = spawn('sh', ['-c', cmd], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr.on('data', (d: Buffer) => errors.push(d.toString()));
      return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    };
    const codes = await Promise.all(indexes.map((i) => {
      const cwd = path.join(work, `runner-${i}`);
      mkdirSync(cwd, { recursive: true });
      return shell(`${runLine.replace('scenarios/', `${ROOT}/scenarios/`).replace(' --quiet', ` --quiet ${SHORT.join(' ')}`)}`, cwd, { 'matrix.index': String(i), 'needs.plan.outputs.start': start });
    }));
    assert.deepEqual(codes, indexes.map(() => 0), errors.join(''));
    // download-artifact puts each artifact in a folder of its name under its path.
    const mergeRunner = path.join(work, 'merge');
    for (const i of indexes) cpSync(path.join(work, `runner-${i}`, 'shards', `shard-${i}`), path.join(mergeRunner, 'shards', `shard-${i}`), { recursive: true });
    assert.equal(await shell(mergeLine, mergeRunner, {}), 0, errors.join(''));
    const merged = read(path.join(mergeRunner, 'merged'));
    assert.deepEqual(merged.meta.shards?.held, indexes);
    assert.ok(merged.meta.shards!.pieces.every((p) => p.startAt === start.replace('Z', '.000Z')));
    assert.ok(existsSync(path.join(mergeRunner, 'merged', 'report.html')));
  });
});
