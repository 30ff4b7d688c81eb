import type { Directory } from '../core/directory.ts';
import type { WorkerMetrics } from './resetd-metrics.ts';

/**
 * The directory, measured: every call counted by its result and timed. It answers exactly
 * as the directory it wraps (the same results, the same errors).
 */
export function measuredDirectory(directory: Directory, metrics: Pick<WorkerMetrics, 'directoryCalls' | 'directoryDuration'>): Directory {
  const name = directory.name;
  const measure = async <T>(call: string, run: () => Promise<T>, resultOf: (value: T) => string): Promise<T> => {
    const started = performance.now();
    let result = 'error';
    try {
      const value = await run();
      result = resultOf(value);
      return value;
    } finally {
      metrics.directoryCalls.inc({ directory: name, call, result });
      metrics.directoryDuration.observe({ directory: name, call }, (performance.now() - started) / 1000);
    }
  };
  const checkPassword = directory.checkPassword?.bind(directory);
  return {
    name,
    find: (identifier) => measure('find', () => directory.find(identifier), (found) => found.kind),
    setPassword: (account, password) => measure('set_password', () => directory.setPassword(account, password), (set) => set.kind),
    // Optional in the port: only a directory that has it gets it (Unleash's password rules).
    ...(checkPassword && { checkPassword: (password: string) => measure('check_password', () => checkPassword(password), () => 'ok') }),
    ping: () => measure('ping', () => directory.ping(), () => 'ok'),
    close: () => directory.close(),
  };
}
