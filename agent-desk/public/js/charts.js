// Hand-drawn SVG charts (no library): horizontal bars, a trend line, a heat strip.
// Labels are set as text nodes, never as markup.
const NS = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, text) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = String(text);
  return n;
}

/** rows: [[label, value]] → horizontal bar chart. */
export function bars(rows, { width = 520, unit = '', color = '#2f6fb3' } = {}) {
  const h = 22, labelW = 130, max = Math.max(1, ...rows.map((r) => r[1]));
  const svg = s('svg', { width, height: rows.length * h + 8, viewBox: `0 0 ${width} ${rows.length * h + 8}`, class: 'chart', role: 'img' });
  rows.forEach(([label, v], i) => {
    const y = i * h + 4;
    const w = ((width - labelW - 60) * v) / max;
    svg.append(s('text', { x: labelW - 6, y: y + 15, 'text-anchor': 'end', 'font-size': 12 }, label));
    svg.append(s('rect', { x: labelW, y: y + 3, width: Math.max(1, w), height: h - 8, fill: color }));
    svg.append(s('text', { x: labelW + w + 4, y: y + 15, 'font-size': 12 }, `${v}${unit}`));
  });
  return svg;
}

/** points: [[label, value]] → line chart. */
export function trend(points, { width = 520, height = 160 } = {}) {
  const pad = 28, max = Math.max(1, ...points.map((p) => p[1]));
  const svg = s('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img' });
  const x = (i) => pad + (points.length > 1 ? (i * (width - 2 * pad)) / (points.length - 1) : (width - 2 * pad) / 2);
  const y = (v) => height - pad - (v * (height - 2 * pad)) / max;
  svg.append(s('line', { x1: pad, y1: height - pad, x2: width - pad, y2: height - pad, stroke: '#999' }));
  svg.append(s('polyline', { fill: 'none', stroke: '#c0392b', 'stroke-width': 2, points: points.map((p, i) => `${x(i)},${y(p[1])}`).join(' ') }));
  points.forEach((p, i) => {
    svg.append(s('circle', { cx: x(i), cy: y(p[1]), r: 3, fill: '#c0392b' }));
    svg.append(s('text', { x: x(i), y: y(p[1]) - 6, 'text-anchor': 'middle', 'font-size': 11 }, p[1]));
    svg.append(s('text', { x: x(i), y: height - pad + 14, 'text-anchor': 'middle', 'font-size': 10 }, p[0]));
  });
  return svg;
}

/** cells: [[label, value]] → a grid of squares shaded by value (heat map by town). */
export function heat(cells, { cols = 5, size = 100 } = {}) {
  const max = Math.max(1, ...cells.map((c) => c[1]));
  const rows = Math.ceil(cells.length / cols);
  const svg = s('svg', { width: cols * size, height: rows * (size / 2), viewBox: `0 0 ${cols * size} ${rows * (size / 2)}`, class: 'chart', role: 'img' });
  cells.forEach(([label, v], i) => {
    const x = (i % cols) * size, y = Math.floor(i / cols) * (size / 2);
    const a = 0.1 + (0.9 * v) / max;
    svg.append(s('rect', { x: x + 1, y: y + 1, width: size - 2, height: size / 2 - 2, fill: `rgba(192,57,43,${a.toFixed(2)})` }));
    svg.append(s('text', { x: x + size / 2, y: y + 20, 'text-anchor': 'middle', 'font-size': 12 }, label));
    svg.append(s('text', { x: x + size / 2, y: y + 38, 'text-anchor': 'middle', 'font-size': 13, 'font-weight': 'bold' }, v));
  });
  return svg;
}
