// Chinese phone numbers as citizens give them: mobiles (1xx xxxx xxxx, optionally +86)
// and landlines with their area code (0536-5221234, 010-12345678, optional extension).

export type PhoneCheck = { ok: true; normalized: string; type: 'mobile' | 'landline' } | { ok: false; message: string };

export function normalizePhone(raw: string): PhoneCheck {
  const s = raw.trim().replace(/[\s()（）]/g, '');
  const mobile = s.replace(/^(\+?86)(?=1\d{10}$)/, '');
  if (/^1[3-9]\d{9}$/.test(mobile)) return { ok: true, normalized: mobile, type: 'mobile' };
  const m = /^(0\d{2,3})-?(\d{7,8})(?:-(\d{1,6}))?$/.exec(s);
  if (m) {
    const digits = m[1] + m[2];
    // 010 and 02x have 3-digit area codes with 8-digit numbers; the others 4 digits.
    const short = /^(010|02\d)/.test(digits);
    const area = short ? digits.slice(0, 3) : digits.slice(0, 4);
    const local = digits.slice(area.length);
    if ((short && local.length === 8) || (!short && (local.length === 7 || local.length === 8))) {
      return { ok: true, normalized: `${area}-${local}${m[3] ? `-${m[3]}` : ''}`, type: 'landline' };
    }
  }
  return { ok: false, message: '电话号码格式不正确：手机号为 11 位（如 13812345678），固定电话须带区号（如 0536-5221234）' };
}
