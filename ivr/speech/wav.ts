// WAV files in and out: the switch records 8 kHz telephone audio as 16-bit PCM
// or G.711 (µ-law / A-law), mono or stereo (caller and agent on separate channels).
// Pure functions over Buffers; reading files is the caller's business.

export class AudioFormatError extends Error {
  override name = 'AudioFormatError';
}

export interface PcmAudio {
  sampleRate: number;
  /** One Float32Array per channel, samples in [-1, 1]. */
  channels: Float32Array[];
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_ALAW = 6;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;

/** Decode a RIFF/WAVE buffer (PCM 8/16/24/32-bit, float32, G.711 µ-law or A-law). */
export function decodeWav(buf: Buffer): PcmAudio {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new AudioFormatError('不是 WAV 文件（缺少 RIFF/WAVE 头）');
  }
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | null = null;
  let data: Buffer | null = null;
  let off = 12;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = buf.subarray(off + 8, Math.min(buf.length, off + 8 + size));
    if (id === 'fmt ') {
      if (body.length < 16) throw new AudioFormatError('WAV 的 fmt 块太短');
      let format = body.readUInt16LE(0);
      if (format === FORMAT_EXTENSIBLE && body.length >= 26) format = body.readUInt16LE(24);
      fmt = { format, channels: body.readUInt16LE(2), sampleRate: body.readUInt32LE(4), bits: body.readUInt16LE(14) };
    } else if (id === 'data') {
      // a recording cut short keeps what was written; a header never finalised (size 0) covers the rest
      data = size === 0 ? buf.subarray(off + 8) : body;
      if (size === 0) break;
    }
    off += 8 + size + (size % 2);
  }
  if (!fmt) throw new AudioFormatError('WAV 文件缺少 fmt 块');
  if (!data) throw new AudioFormatError('WAV 文件缺少 data 块');
  const { format, channels: n, sampleRate, bits } = fmt;
  if (n < 1 || n > 8) throw new AudioFormatError(`WAV 声道数不支持：${n}`);
  if (sampleRate < 4000 || sampleRate > 192000) throw new AudioFormatError(`WAV 采样率不支持：${sampleRate}`);

  let read: (i: number) => number;
  let width: number;
  if (format === FORMAT_PCM && bits === 16) { width = 2; read = (i) => data!.readInt16LE(i) / 32768; }
  else if (format === FORMAT_PCM && bits === 8) { width = 1; read = (i) => (data![i] - 128) / 128; }
  else if (format === FORMAT_PCM && bits === 24) { width = 3; read = (i) => data!.readIntLE(i, 3) / 8388608; }
  else if (format === FORMAT_PCM && bits === 32) { width = 4; read = (i) => data!.readInt32LE(i) / 2147483648; }
  else if (format === FORMAT_FLOAT && bits === 32) { width = 4; read = (i) => data!.readFloatLE(i); }
  else if (format === FORMAT_MULAW && bits === 8) { width = 1; read = (i) => muLawDecode(data![i]) / 32768; }
  else if (format === FORMAT_ALAW && bits === 8) { width = 1; read = (i) => aLawDecode(data![i]) / 32768; }
  else throw new AudioFormatError(`WAV 编码不支持：格式 ${format}，${bits} 位`);

  const frames = Math.floor(data.length / (width * n));
  const channels = Array.from({ length: n }, () => new Float32Array(frames));
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < n; c++) channels[c][f] = read((f * n + c) * width);
  }
  return { sampleRate, channels };
}

/** Raw 16-bit little-endian PCM frames (as a switch streams live audio) to samples in [-1, 1]. */
export function pcm16ToFloat(buf: Buffer): Float32Array {
  const out = new Float32Array(Math.floor(buf.length / 2));
  for (let i = 0; i < out.length; i++) out[i] = buf.readInt16LE(i * 2) / 32768;
  return out;
}

/** Encode 16-bit PCM WAV (what the Whisper and Google providers upload). */
export function encodeWav16(audio: PcmAudio): Buffer {
  const n = audio.channels.length;
  const frames = n ? audio.channels[0].length : 0;
  const out = Buffer.alloc(44 + frames * n * 2);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + frames * n * 2, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(FORMAT_PCM, 20);
  out.writeUInt16LE(n, 22);
  out.writeUInt32LE(audio.sampleRate, 24);
  out.writeUInt32LE(audio.sampleRate * n * 2, 28);
  out.writeUInt16LE(n * 2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(frames * n * 2, 40);
  let o = 44;
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < n; c++) {
      out.writeInt16LE(toInt16(audio.channels[c][f]), o);
      o += 2;
    }
  }
  return out;
}

export function toInt16(x: number): number {
  const v = Math.round(x * 32768);
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

// G.711 (ITU-T), as the switch writes PCMU/PCMA recordings.
const MU_BIAS = 0x84;
const MU_CLIP = 32635;

export function muLawEncode(sample: number): number {
  let s = sample;
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > MU_CLIP) s = MU_CLIP;
  s += MU_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

export function muLawDecode(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + MU_BIAS) << exponent) - MU_BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

export function aLawDecode(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}
