// Tables out of the desk: CSV (UTF-8 with BOM, so Excel reads the Chinese).
export type Cell = string | number | null | undefined;

export function csvText(header: Cell[], rows: Cell[][]): string {
  const cell = (v: Cell) => {
    let s = v === null || v === undefined ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`; // no formulas from data in a spreadsheet
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return '\ufeff' + [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n');
}

export function download(name: string, blob: Blob): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

export function downloadCsv(name: string, header: Cell[], rows: Cell[][]): void {
  download(name, new Blob([csvText(header, rows)], { type: 'text/csv;charset=utf-8' }));
}
