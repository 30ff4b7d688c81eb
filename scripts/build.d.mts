// Types of scripts/build.mjs, plain JavaScript so that bin/resetd.js runs it without TypeScript.
export const ROOT: string;
export function newestSource(root?: string): number;
export function staleness(root?: string): string | null;
export function build(options?: { check?: boolean }): void;
export function buildIfStale(): Promise<void>;
