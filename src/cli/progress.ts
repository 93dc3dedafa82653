/** A progress bar on stderr: redrawn in place on a terminal, a line per tenth otherwise (CI logs). */
export function progress(stream: NodeJS.WriteStream, total: number): { tick(label: string): void; done(): void } {
  let n = 0;
  let lastDecile = -1;
  const tty = Boolean(stream.isTTY);
  return {
    tick(label: string): void {
      n++;
      const frac = n / total;
      if (tty) {
        const width = 28;
        const full = Math.round(frac * width);
        const line = `[${'#'.repeat(full)}${' '.repeat(width - full)}] ${n}/${total} ${label}`;
        stream.write(`\r${line.slice(0, (stream.columns ?? 100) - 1).padEnd(Math.min(stream.columns ?? 100, 100) - 1)}`);
      } else {
        const decile = Math.floor(frac * 10);
        if (decile !== lastDecile) {
          lastDecile = decile;
          stream.write(`[${Math.round(frac * 100)}%] ${n}/${total} ${label}\n`);
        }
      }
    },
    done(): void {
      if (tty) stream.write('\r' + ' '.repeat(Math.min(stream.columns ?? 100, 100) - 1) + '\r');
    },
  };
}
