// Google's auth library looks for the GCE metadata server whenever a BigQuery request has no
// explicit credentials (that is how workload identity is found), and outside Google Cloud the
// failed look-up prints a MetadataLookupWarning through Node's warning channel on every start.
// The BigQuery source already reports a real authentication failure on its SLOs, so this one
// warning is dropped; every other warning is printed as Node prints it.
export function dropMetadataLookupWarnings(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'MetadataLookupWarning') return;
    process.stderr.write(`(node:${process.pid}) ${warning.name}: ${warning.message}\n`);
  });
}
