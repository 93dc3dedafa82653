/** A progress bar on stderr: redrawn in place on a terminal, a line per tenth otherwise (CI logs). */
export function progress(stream: NodeJS.WriteStream, total: number): { tick(label: string): void; done(): void } {
  let n = 0;
  let lastDecile = -1;
  const tty = Boolean(stream.isTTY);
  // A terminal may report 0 (or no) columns, a pty without a size for one: assume 80.
  const columns = Math.min(Number.isInteger(stream.columns) && stream.columns >= 20 ? stream.columns : 80, 100);
  return {
    tick(label: string): void {
      n++;
      const frac = total > 0 ? Math.min(1, n / total) : 1;
      if (tty) {
        const width = 28;
        const full = Math.round(frac * width);
        const line = `[${'#'.repeat(full)}${' '.repeat(width - full)}] ${n}/${total} ${label}`;
        stream.write(`\r${line.slice(0, columns - 1).padEnd(columns - 1)}`);
      } else {
        const decile = Math.floor(frac * 10);
        if (decile !== lastDecile) {
          lastDecile = decile;
          stream.write(`[${Math.round(frac * 100)}%] ${n}/${total} ${label}\n`);
        }
      }
    },
    done(): void {
      if (tty) stream.write('\r' + ' '.repeat(columns - 1) + '\r');
    },
  };
}
