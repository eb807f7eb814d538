/**
 * Offers text as a file download in the browser (web mode's "Save report", the History
 * view's CSV export): the file lands on the machine of the person looking at the page,
 * not on the server. Does nothing outside a DOM (store tests).
 */
export function downloadText(fileName: string, text: string, mimeType: string): boolean {
  if (typeof document === 'undefined' || typeof URL.createObjectURL !== 'function') return false;
  const url = URL.createObjectURL(new Blob([text], { type: mimeType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return true;
}

/** `cosiflash-report-sdb-2026-11-30T17-40-00Z.json`, the same name the server saves under. */
export function reportDownloadName(devicePath: string, finishedAt: string): string {
  const device = (devicePath.split(/[\\/]/).pop() ?? '').replace(/[^A-Za-z0-9._-]/g, '_') || 'disk';
  const when = finishedAt.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return `cosiflash-report-${device}-${when}.json`;
}
