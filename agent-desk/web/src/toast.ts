// Short notices: at most three on screen (top centre, away from the deadline pills), the
// same text merged into one, errors stay longer.
import { ElMessage, type MessageHandler } from 'element-plus';

const open: MessageHandler[] = [];
const MAX = 3;

export function toast(text: string, kind: 'info' | 'success' | 'error' | 'warning' = 'success'): void {
  while (open.length >= MAX) open.shift()!.close();
  const below = Math.round(document.querySelector('header#top')?.getBoundingClientRect().bottom ?? 44) + 8; // under the header and its demo notice
  const h = ElMessage({ message: text, type: kind, grouping: true, offset: below, duration: kind === 'error' ? 6000 : 3000, customClass: `toast toast-${kind}`, onClose: () => {
    const i = open.indexOf(h);
    if (i >= 0) open.splice(i, 1);
  } });
  open.push(h);
}
export const toastError = (e: unknown): void => toast(e instanceof Error ? e.message : String(e), 'error');
