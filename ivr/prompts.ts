// The IVR's spoken prompts: one WAV file per prompt (8 kHz, mono, 16-bit), named by
// purpose. ivr/prompts/generate.ts makes them from these texts with espeak-ng and sox;
// a city can re-record any file under the same name instead.

export interface Prompt {
  /** What the caller hears. */
  text: string;
  /** The same in numbered pinyin for espeak-ng's cmn-latn-pinyin voice. */
  pinyin: string;
}

export const PROMPTS = {
  welcome: {
    text: '您好，这里是民声热线。为了服务质量，您的通话将被全程录音。',
    pinyin: 'nin2 hao3, zhe4 li3 shi4 min2 sheng1 re4 xian4. wei4 le5 fu2 wu4 zhi4 liang4, nin2 de5 tong1 hua4 jiang1 bei4 quan2 cheng2 lu4 yin1.',
  },
  after_hours: {
    text: '您好，这里是民声热线。现在是非工作时间，您的通话将被录音。请在提示音后留言，我们将在工作时间尽快处理。',
    pinyin: 'nin2 hao3, zhe4 li3 shi4 min2 sheng1 re4 xian4. xian4 zai4 shi4 fei1 gong1 zuo4 shi2 jian1, nin2 de5 tong1 hua4 jiang1 bei4 lu4 yin1. qing3 zai4 ti2 shi4 yin1 hou4 liu2 yan2, wo3 men5 jiang1 zai4 gong1 zuo4 shi2 jian1 jin3 kuai4 chu3 li3.',
  },
  menu: {
    text: '人工服务请稍候；查询工单办理进度请按1；留言请按2。',
    pinyin: 'ren2 gong1 fu2 wu4 qing3 shao1 hou4; cha2 xun2 gong1 dan1 ban4 li3 jin4 du4 qing3 an4 yi1; liu2 yan2 qing3 an4 er4.',
  },
  invalid: {
    text: '输入有误，请重新输入。',
    pinyin: 'shu1 ru4 you3 wu4, qing3 chong2 xin1 shu1 ru4.',
  },
  ticket_number: {
    text: '请输入十二位工单编号，以井号键结束。',
    pinyin: 'qing3 shu1 ru4 shi2 er4 wei4 gong1 dan1 bian1 hao4, yi3 jing3 hao4 jian4 jie2 shu4.',
  },
  ticket_not_found: {
    text: '没有查到这个工单编号，请核对后再拨。',
    pinyin: 'mei2 you3 cha2 dao4 zhe4 ge4 gong1 dan1 bian1 hao4, qing3 he2 dui4 hou4 zai4 bo1.',
  },
  status_accepted: {
    text: '您的诉求已受理，正在等待派发。',
    pinyin: 'nin2 de5 su4 qiu2 yi3 shou4 li3, zheng4 zai4 deng3 dai4 pai4 fa1.',
  },
  status_in_progress: {
    text: '您的诉求已转交承办单位，正在办理。',
    pinyin: 'nin2 de5 su4 qiu2 yi3 zhuan3 jiao1 cheng2 ban4 dan1 wei4, zheng4 zai4 ban4 li3.',
  },
  status_replied: {
    text: '承办单位已答复，我们将尽快回访您。',
    pinyin: 'cheng2 ban4 dan1 wei4 yi3 da2 fu4, wo3 men5 jiang1 jin3 kuai4 hui2 fang3 nin2.',
  },
  status_closed: {
    text: '您的诉求已办结。',
    pinyin: 'nin2 de5 su4 qiu2 yi3 ban4 jie2.',
  },
  queue_wait: {
    text: '正在为您转接话务员，请稍候。',
    pinyin: 'zheng4 zai4 wei4 nin2 zhuan3 jie1 hua4 wu4 yuan2, qing3 shao1 hou4.',
  },
  queue_announce: {
    text: '话务员正忙，您的来电很重要，请继续等待。',
    pinyin: 'hua4 wu4 yuan2 zheng4 mang2, nin2 de5 lai2 dian4 hen3 zhong4 yao4, qing3 ji4 xu4 deng3 dai4.',
  },
  queue_next: {
    text: '您是下一位，话务员马上为您服务。',
    pinyin: 'nin2 shi4 xia4 yi2 wei4, hua4 wu4 yuan2 ma3 shang4 wei4 nin2 fu2 wu4.',
  },
  queue_position_1: {
    text: '您前面还有一位来电在等待，请稍候。',
    pinyin: 'nin2 qian2 mian4 hai2 you3 yi1 wei4 lai2 dian4 zai4 deng3 dai4, qing3 shao1 hou4.',
  },
  queue_position_2: {
    text: '您前面还有两位来电在等待，请稍候。',
    pinyin: 'nin2 qian2 mian4 hai2 you3 liang3 wei4 lai2 dian4 zai4 deng3 dai4, qing3 shao1 hou4.',
  },
  queue_position_3: {
    text: '您前面还有三位来电在等待，请稍候。',
    pinyin: 'nin2 qian2 mian4 hai2 you3 san1 wei4 lai2 dian4 zai4 deng3 dai4, qing3 shao1 hou4.',
  },
  queue_position_4: {
    text: '您前面还有四位来电在等待，请稍候。',
    pinyin: 'nin2 qian2 mian4 hai2 you3 si4 wei4 lai2 dian4 zai4 deng3 dai4, qing3 shao1 hou4.',
  },
  queue_position_5: {
    text: '您前面还有五位来电在等待，请稍候。',
    pinyin: 'nin2 qian2 mian4 hai2 you3 wu3 wei4 lai2 dian4 zai4 deng3 dai4, qing3 shao1 hou4.',
  },
  queue_position_6: {
    text: '您前面还有六位来电在等待，请稍候。',
    pinyin: 'nin2 qian2 mian4 hai2 you3 liu4 wei4 lai2 dian4 zai4 deng3 dai4, qing3 shao1 hou4.',
  },
  queue_position_7: {
    text: '您前面还有七位来电在等待，请稍候。',
    pinyin: 'nin2 qian2 mian4 hai2 you3 qi1 wei4 lai2 dian4 zai4 deng3 dai4, qing3 shao1 hou4.',
  },
  queue_position_8: {
    text: '您前面还有八位来电在等待，请稍候。',
    pinyin: 'nin2 qian2 mian4 hai2 you3 ba1 wei4 lai2 dian4 zai4 deng3 dai4, qing3 shao1 hou4.',
  },
  queue_position_9: {
    text: '您前面还有九位来电在等待，请稍候。',
    pinyin: 'nin2 qian2 mian4 hai2 you3 jiu3 wei4 lai2 dian4 zai4 deng3 dai4, qing3 shao1 hou4.',
  },
  queue_position_10: {
    text: '您前面还有十位以上来电在等待，请稍候。',
    pinyin: 'nin2 qian2 mian4 hai2 you3 shi2 wei4 yi3 shang4 lai2 dian4 zai4 deng3 dai4, qing3 shao1 hou4.',
  },
  overflow: {
    text: '话务员都在忙。留言请按1；需要我们回电请按2。',
    pinyin: 'hua4 wu4 yuan2 dou1 zai4 mang2. liu2 yan2 qing3 an4 yi1; xu1 yao4 wo3 men5 hui2 dian4 qing3 an4 er4.',
  },
  callback_registered: {
    text: '已为您登记回电，话务员将尽快给您回电。',
    pinyin: 'yi3 wei4 nin2 deng1 ji4 hui2 dian4, hua4 wu4 yuan2 jiang1 jin3 kuai4 gei3 nin2 hui2 dian4.',
  },
  message_prompt: {
    text: '请在提示音后说明您的诉求和联系地址，说完请挂机或按井号键。',
    pinyin: 'qing3 zai4 ti2 shi4 yin1 hou4 shuo1 ming2 nin2 de5 su4 qiu2 he2 lian2 xi4 di4 zhi3, shuo1 wan2 qing3 gua4 ji1 huo4 an4 jing3 hao4 jian4.',
  },
  message_saved: {
    text: '您的留言已记录，我们会尽快处理。',
    pinyin: 'nin2 de5 liu2 yan2 yi3 ji4 lu4, wo3 men5 hui4 jin3 kuai4 chu3 li3.',
  },
  goodbye: {
    text: '感谢您的来电，再见。',
    pinyin: 'gan3 xie4 nin2 de5 lai2 dian4, zai4 jian4.',
  },
  survey_question: {
    text: '您好，这里是民声热线回访。您对诉求的办理结果是否满意？满意请按1，基本满意请按2，不满意请按3。',
    pinyin: 'nin2 hao3, zhe4 li3 shi4 min2 sheng1 re4 xian4 hui2 fang3. nin2 dui4 su4 qiu2 de5 ban4 li3 jie2 guo3 shi4 fou3 man3 yi4? man3 yi4 qing3 an4 yi1, ji1 ben3 man3 yi4 qing3 an4 er4, bu4 man3 yi4 qing3 an4 san1.',
  },
  survey_reason: {
    text: '请在提示音后简单说明不满意的原因，说完请挂机。',
    pinyin: 'qing3 zai4 ti2 shi4 yin1 hou4 jian3 dan1 shuo1 ming2 bu4 man3 yi4 de5 yuan2 yin1, shuo1 wan2 qing3 gua4 ji1.',
  },
  survey_confirm_satisfied: {
    text: '您的评价是：满意。',
    pinyin: 'nin2 de5 ping2 jia4 shi4: man3 yi4.',
  },
  survey_confirm_basically_satisfied: {
    text: '您的评价是：基本满意。',
    pinyin: 'nin2 de5 ping2 jia4 shi4: ji1 ben3 man3 yi4.',
  },
  survey_confirm_unsatisfied: {
    text: '您的评价是：不满意。我们会认真研判，督促承办单位重新办理。',
    pinyin: 'nin2 de5 ping2 jia4 shi4: bu4 man3 yi4. wo3 men5 hui4 ren4 zhen1 yan2 pan4, du1 cu4 cheng2 ban4 dan1 wei4 chong2 xin1 ban4 li3.',
  },
  survey_thanks: {
    text: '您的评价已记录，感谢您的配合，再见。',
    pinyin: 'nin2 de5 ping2 jia4 yi3 ji4 lu4, gan3 xie4 nin2 de5 pei4 he2, zai4 jian4.',
  },
} as const satisfies Record<string, Prompt>;

export type PromptKey = keyof typeof PROMPTS;

/** The queue's hold music, beside the prompts (made by prompts/generate.ts; not a spoken prompt). */
export const HOLD_MUSIC_FILE = 'hold_music.wav';

/** The position announcement for a caller with `ahead` callers before them (next, 1…9, then "10 or more"). */
export function queuePositionPrompt(ahead: number): PromptKey {
  if (ahead < 1) return 'queue_next';
  return `queue_position_${Math.min(ahead, 10)}` as PromptKey;
}

/** The file name of a prompt, relative to the prompts directory. */
export const promptFile = (key: PromptKey): string => `${key}.wav`;
