// A progress bar on stderr: redrawn in place on a terminal, one line per tenth otherwise.
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): (done: number, total: number, item?: string) => void {
  const started = performance.now();
  let lastTenth = -1;
  return (done, total, item) => {
    const fraction = total > 0 ? done / total : 1;
    const elapsed = (performance.now() - started) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : 0;
    const width = 30;
    const filled = Math.round(fraction * width);
    const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${elapsed.toFixed(0)}s elapsed${done < total ? `, ~${eta.toFixed(0)}s left` : ''}${item ? `  ${item}` : ''}`;
    if (stream.isTTY) {
      stream.write(`\r${line.slice(0, (stream.columns || 120) - 1)}\x1b[K${done === total ? '\n' : ''}`);
    } else if (Math.floor(fraction * 10) > lastTenth || done === total) {
      lastTenth = Math.floor(fraction * 10);
      stream.write(`${line}\n`);
    }
  };
}
