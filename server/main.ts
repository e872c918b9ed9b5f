// `npm start`: the whole hotline on its configured database (SQLite under ./data by default).
import { loadConfig, Config } from './config';
import { createHotline, listen, describeDb, StartRefused } from './hotline';
import { loadRoutingForServer } from './routing-port';
import { freeswitchSwitch, asteriskSwitch } from './telephony';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const telephony = config.FREESWITCH_ESL ? freeswitchSwitch : config.ASTERISK_AMI ? asteriskSwitch : undefined;
  let hotline: Awaited<ReturnType<typeof createHotline>>;
  try {
    hotline = await createHotline(config, { routing: loadRoutingForServer(), telephony });
  } catch (e) {
    if (!(e instanceof StartRefused)) throw e;
    console.error(e.message);
    process.exit(2);
  }
  const server = await listen(hotline);
  console.log(`民声热线已启动：http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}（数据库：${describeDb(hotline)}）`);
  if (!telephony) console.log('未配置 FREESWITCH_ESL 或 ASTERISK_AMI：电话接入未启用，仅提供网页和接口受理');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`收到 ${signal}，正在停止…`);
    server.close();
    server.closeIdleConnections?.();
    await hotline.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e) => {
  console.error('启动失败：', e instanceof Error ? e.message : e);
  process.exit(1);
});
