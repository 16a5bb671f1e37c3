/**
 * The emulator's logger: one line per event worth knowing, prefixed `[omnisip]`. It is passed in,
 * never a module global (STYLE.md §12). Callers never hand it a request body or a password.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type LogLevel = 'silent' | 'error' | 'warn' | 'info';

const rank: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3 };

export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Logger {
  const at = (l: Exclude<LogLevel, 'silent'>) => (message: string) => {
    if (rank[level] >= rank[l]) write(`[omnisip] ${l === 'info' ? '' : `${l}: `}${message}`);
  };
  return { info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = createLogger('silent');
