import os from 'node:os';
import si from 'systeminformation';

export interface HostFacts {
  cpus: number;
  model: string;
  speedMHz: number;
  memoryBytes: number;
  os: string;
  node: string;
}

export async function hostFacts(): Promise<HostFacts> {
  const cpus = os.cpus();
  let model = cpus[0]?.model ?? 'unknown';
  let speedMHz = cpus[0]?.speed ?? 0;
  try {
    const c = await si.cpu();
    if (c.brand) model = `${c.manufacturer} ${c.brand}`.trim();
    if (c.speed) speedMHz = Math.round(c.speed * 1000);
  } catch {
    // os.cpus() already gave a model; systeminformation only refines it.
  }
  return {
    cpus: os.availableParallelism?.() ?? cpus.length,
    model,
    speedMHz,
    memoryBytes: os.totalmem(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}
