import { createWriteStream } from 'node:fs';
import type { ResetdProcess } from '../../test/support/processes.ts';
import { startResetdProcess } from '../../test/support/processes.ts';

/**
 * One resetd process kept running, as systemd or Kubernetes would: restarted whenever it
 * ends, and each end counted as planned (the soak killed it) or not (it died by itself,
 * which is what the soak is there to find).
 */
export class Supervised {
  planned = 0;
  unplanned = 0;
  /** How each unplanned end looked: exit code or signal, and the log file that holds the rest. */
  readonly deaths: string[] = [];
  private current: ResetdProcess | null = null;
  private killing = false;
  private stopping = false;
  private starts = 0;

  constructor(
    readonly name: string,
    private readonly role: 'serve' | 'worker',
    private readonly env: Record<string, string>,
    private readonly port: number,
    private readonly logDir: string,
  ) {}

  get url(): string {
    return this.port ? `http://127.0.0.1:${this.port}` : '';
  }

  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.current = await startResetdProcess(this.role, this.env, this.port);
        break;
      } catch (error) {
        // The port of a process killed a moment ago may still be held: try again, a few times.
        if (attempt >= 10 || this.stopping) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    const child = this.current.child;
    const logFile = `${this.logDir}/${this.name}-${++this.starts}.log`;
    const log = createWriteStream(logFile);
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      if (this.killing) {
        this.killing = false;
        this.planned++;
      } else {
        this.unplanned++;
        this.deaths.push(`${this.name} ended by itself (exit ${code ?? signal}); its log: ${logFile}`);
      }
      void this.start().catch((error) => this.deaths.push(`${this.name} could not be restarted: ${(error as Error).message}`));
    });
  }

  /** SIGKILL, as a crash or the OOM killer would; the restart follows by itself. */
  async kill(): Promise<void> {
    if (!this.current) return;
    this.killing = true;
    await this.current.kill('SIGKILL');
  }

  /** SIGTERM, as a deploy would: resolves with the exit code (0 is a clean stop). */
  async stop(): Promise<number | string | null> {
    this.stopping = true;
    const child = this.current?.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child ? (child.exitCode ?? child.signalCode) : null;
    const exit = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    child.kill('SIGTERM');
    return exit;
  }
}
