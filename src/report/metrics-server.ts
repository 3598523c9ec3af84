import { createServer, type Server } from 'node:http';
import type { Progress } from '../run.js';
import { liveMetrics, type Labels } from './openmetrics.js';
import { StrainError } from '../errors.js';

/**
 * A /metrics endpoint for a run in progress, for Prometheus to scrape.
 * Binds loopback unless told otherwise.
 */
export class MetricsServer {
  private latest: Progress | undefined;
  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(name: string, port: number, host = '127.0.0.1', labels: Labels = {}): Promise<MetricsServer> {
    let self: MetricsServer | undefined;
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; try /metrics\n');
        return;
      }
      // Prometheus asks for OpenMetrics first; curl and older scrapers get the 0.0.4 text format.
      const om = /application\/openmetrics-text/.test(req.headers.accept ?? '');
      res.writeHead(200, { 'content-type': om ? 'application/openmetrics-text; version=1.0.0; charset=utf-8' : 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(liveMetrics(name, self?.latest, { labels, dialect: om ? 'openmetrics' : 'prometheus' }));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) => reject(new StrainError('STRAIN_USAGE', `cannot serve metrics on ${host}:${port}: ${e.message}`)));
      server.listen(port, host, () => resolve());
    });
    const address = server.address();
    self = new MetricsServer(server, typeof address === 'object' && address ? address.port : port);
    return self;
  }

  update(p: Progress): void {
    this.latest = p;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
