/** `strain run --shard ...`: the shard this process is, and when it starts, from the command line and the environment. */
import path from 'node:path';
import { StrainError } from '../errors.js';
import { parseDuration } from '../profile/duration.js';
import type { ShardOptions } from '../run.js';
import { parseShard, shardFromEnv } from '../shard/spec.js';
import { parseStartAt } from '../shard/start-at.js';
import type { RunArgs } from './commands/run.js';

export function shardOptionsOf(args: RunArgs, env: Readonly<Record<string, string | undefined>>, cwd: string): ShardOptions | undefined {
  const given = args.shard;
  if (given === undefined) {
    for (const opt of ['shard-count', 'start-at', 'shard-dir', 'start-timeout'] as const) {
      if (args[opt] !== undefined) throw new StrainError('STRAIN_USAGE', `--${opt} is for shards: give --shard I/N or --shard auto`);
    }
    return undefined;
  }
  if (args.repeat > 1) throw new StrainError('STRAIN_USAGE', '--repeat cannot be combined with --shard: each shard is one run of its part (repeat the whole sharded test instead)');
  const count = args['shard-count'];
  if (count !== undefined && !(Number.isInteger(count) && count >= 1)) throw new StrainError('STRAIN_USAGE', `--shard-count must be a whole number from 1, found ${String(count)}`);
  const spec = given.trim() === 'auto' ? shardFromEnv(env, count) : { ...parseShard(given), source: 'given' as const };
  if (given.trim() !== 'auto' && count !== undefined) throw new StrainError('STRAIN_USAGE', '--shard-count is for --shard auto (--shard I/N gives the count)');
  const startAt = args['start-at'] === undefined ? undefined : parseStartAt(args['start-at']);
  if (startAt && 'afterMs' in startAt && !args['shard-dir']) {
    throw new StrainError('STRAIN_USAGE', 'a relative start (+DURATION) needs a folder all shards share (--shard-dir): it starts after the last shard arrives there', { where: '--start-at' });
  }
  return {
    ...spec,
    ...(startAt ? { startAt } : {}),
    ...(args['shard-dir'] ? { dir: path.resolve(cwd, args['shard-dir']) } : {}),
    ...(args['start-timeout'] ? { startTimeoutMs: parseDuration(args['start-timeout'], '--start-timeout') } : {}),
  };
}
