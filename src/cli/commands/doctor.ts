import type { Argv } from 'yargs';
import { EXIT } from '../../errors.js';
import type { CliIo } from '../io.js';

export interface DoctorArgs {
  strict: boolean;
  json: boolean;
}

export const command = 'doctor';
export const describe = 'Check this machine before a benchmark: cores, SMT, CPU quota, governor, turbo, load from other processes, memory, Node';

export function builder(y: Argv): Argv<DoctorArgs> {
  return y
    .example('strain doctor', 'one line per finding, with advice')
    .example('strain doctor --strict', 'exit 1 when a finding is a problem (a CPU quota below the cores, a busy machine)')
    .option('strict', { type: 'boolean', default: false, describe: 'Exit 1 when a finding is a problem' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the facts and the findings as JSON' }) as unknown as Argv<DoctorArgs>;
}

export async function handler(args: DoctorArgs, io: CliIo): Promise<number> {
  const [{ diagnose, doctorText }, { readMachineFacts }] = await Promise.all([import('../../doctor/diagnose.js'), import('../../doctor/facts.js')]);
  const facts = await readMachineFacts();
  const findings = diagnose(facts);
  io.stdout(args.json ? `${JSON.stringify({ facts, findings }, null, 2)}\n` : doctorText(findings));
  return args.strict && findings.some((f) => f.severity === 'problem') ? EXIT.failed : EXIT.passed;
}
