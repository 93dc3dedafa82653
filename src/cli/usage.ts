/** A command line the CLI cannot run: an unknown flag, a bad value, a missing argument. Exit code 2. */
export class UsageError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The CLI's exit codes, documented in the README and `--help`. */
export const EXIT = { passed: 0, failed: 1, usage: 2 } as const;
