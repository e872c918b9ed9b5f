// Finding a sherpa-onnx model in the folder the configuration names: which
// kind it is and which files to load (int8 files preferred when present).
import fs from 'node:fs';
import path from 'node:path';

export type SherpaModelType = 'online-transducer' | 'transducer' | 'paraformer' | 'sense-voice';
export const SHERPA_MODEL_TYPES = ['online-transducer', 'transducer', 'paraformer', 'sense-voice'] as const;

export interface SherpaModelFiles {
  dir: string;
  type: SherpaModelType;
  tokens: string;
  encoder?: string;
  decoder?: string;
  joiner?: string;
  model?: string;
}

export class ModelNotFoundError extends Error {
  override name = 'ModelNotFoundError';
}

/** The file whose name starts with `role` and ends in .onnx, the int8 one first. */
function pick(files: string[], role: string): string | undefined {
  const found = files.filter((f) => f.startsWith(role) && f.endsWith('.onnx')).sort();
  return found.find((f) => f.includes('int8')) ?? found[0];
}

/**
 * Describe the model in `dir`. `type` 'auto' decides from the files: a single
 * model.onnx is a Paraformer, or SenseVoice when the folder says so; an
 * encoder/decoder/joiner trio is streaming when its files or folder say
 * "chunk", "streaming" or "kws", an offline transducer otherwise.
 */
export function findSherpaModel(dir: string, type: SherpaModelType | 'auto' = 'auto'): SherpaModelFiles {
  let files: string[];
  try {
    files = fs.readdirSync(dir);
  } catch {
    throw new ModelNotFoundError(`找不到语音模型目录：${dir}`);
  }
  if (!files.includes('tokens.txt')) throw new ModelNotFoundError(`语音模型目录缺少 tokens.txt：${dir}`);
  const tokens = path.join(dir, 'tokens.txt');
  const at = (f: string | undefined) => (f ? path.join(dir, f) : undefined);
  const encoder = pick(files, 'encoder');
  const decoder = pick(files, 'decoder');
  const joiner = pick(files, 'joiner');
  const model = pick(files, 'model');
  const name = path.basename(path.resolve(dir)).toLowerCase();

  let kind: SherpaModelType;
  if (type !== 'auto') kind = type;
  else if (encoder && decoder && joiner) {
    kind = /streaming|kws/.test(name) || [encoder, decoder, joiner].some((f) => f.includes('chunk')) ? 'online-transducer' : 'transducer';
  } else if (model) kind = /sense[-_]?voice/.test(name) ? 'sense-voice' : 'paraformer';
  else throw new ModelNotFoundError(`语音模型目录里没有可识别的 .onnx 文件：${dir}`);

  if (kind === 'online-transducer' || kind === 'transducer') {
    if (!encoder || !decoder || !joiner) throw new ModelNotFoundError(`转写模型缺少 encoder/decoder/joiner 文件：${dir}`);
    return { dir, type: kind, tokens, encoder: at(encoder), decoder: at(decoder), joiner: at(joiner) };
  }
  if (!model) throw new ModelNotFoundError(`转写模型缺少 model.onnx：${dir}`);
  return { dir, type: kind, tokens, model: at(model) };
}
