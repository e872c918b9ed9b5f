#!/bin/sh
# Installs the 民声热线 overlay onto a stock FreeSWITCH 1.10 configuration.
#   freeswitch-conf/install.sh /etc/freeswitch /usr/share/freeswitch/sounds [/var/lib/freeswitch/recordings]
# Needs HOTLINE_SIP_SECRET (≥ 16 characters) to generate the operators' phone directory.
# HOTLINE_SIP_IP (optional): the address the SIP profiles bind, e.g. 127.0.0.1 on a test switch
# (the stock profiles bind the auto-detected $${local_ip_v4} and ask a public STUN server).
set -eu
CONF=${1:?usage: install.sh CONF_DIR SOUNDS_DIR [RECORDINGS_DIR]}
SOUNDS=${2:?usage: install.sh CONF_DIR SOUNDS_DIR [RECORDINGS_DIR]}
RECORDINGS=${3:-/var/lib/freeswitch/recordings}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")

[ -f "$CONF/vars.xml" ] || { echo "不是 FreeSWITCH 配置目录：$CONF" >&2; exit 2; }
: "${HOTLINE_SIP_SECRET:?请设置 HOTLINE_SIP_SECRET（至少 16 个字符）}"

cp "$HERE/vars_hotline.xml" "$CONF/vars_hotline.xml"
if [ -n "${HOTLINE_SIP_IP:-}" ]; then
  case "$HOTLINE_SIP_IP" in *[!0-9.]*) echo "HOTLINE_SIP_IP 应为 IPv4 地址：$HOTLINE_SIP_IP" >&2; exit 2 ;; esac
  # The directory's domain follows too: vars.xml set domain=$${local_ip_v4} before this include, with
  # the detected address at start-up but with this one at every reloadxml — the phones' domain would
  # then change under the profiles (force-register-domain) and every REGISTER get 403.
  sed -i "s#</include>#  <X-PRE-PROCESS cmd=\"set\" data=\"local_ip_v4=$HOTLINE_SIP_IP\"/>\n  <X-PRE-PROCESS cmd=\"set\" data=\"domain=$HOTLINE_SIP_IP\"/>\n  <X-PRE-PROCESS cmd=\"set\" data=\"domain_name=$HOTLINE_SIP_IP\"/>\n  <X-PRE-PROCESS cmd=\"set\" data=\"external_rtp_ip=$HOTLINE_SIP_IP\"/>\n  <X-PRE-PROCESS cmd=\"set\" data=\"external_sip_ip=$HOTLINE_SIP_IP\"/>\n</include>#" "$CONF/vars_hotline.xml"
  # On loopback the stock IPv6 profiles stay on loopback too.
  [ "$HOTLINE_SIP_IP" != 127.0.0.1 ] || sed -i 's#</include>#  <X-PRE-PROCESS cmd="set" data="local_ip_v6=::1"/>\n</include>#' "$CONF/vars_hotline.xml"
  echo "SIP 与 RTP 绑定到 $HOTLINE_SIP_IP（internal 端口 5060，external 端口 5080）。"
fi
grep -q 'vars_hotline.xml' "$CONF/vars.xml" || \
  sed -i 's#</include>#  <X-PRE-PROCESS cmd="include" data="vars_hotline.xml"/>\n</include>#' "$CONF/vars.xml"
cp "$HERE/autoload_configs/event_socket.conf.xml" "$CONF/autoload_configs/event_socket.conf.xml"
cp "$HERE/autoload_configs/callcenter.conf.xml" "$CONF/autoload_configs/callcenter.conf.xml"
cp "$HERE/dialplan/public/00_hotline.xml" "$CONF/dialplan/public/00_hotline.xml"
# The context hotline_resume (calls the app left mid-call, the fallback): dialplan/*.xml is included by the stock freeswitch.xml.
cp "$HERE/dialplan/hotline_resume.xml" "$CONF/dialplan/hotline_resume.xml"
cp "$HERE/sip_profiles/external/carrier.xml" "$CONF/sip_profiles/external/carrier.xml"
# The stock directory's users 1000–1019 (password 1234 for all) would shadow the operators'
# generated phones with the same numbers (a phone with its generated password gets 403), and
# are a well-known open door: they are moved out of the directory, not deleted.
STOCK_OUT="$CONF/directory/stock-users-disabled"
moved=""
for f in "$CONF"/directory/default/10[01][0-9].xml; do
  [ -f "$f" ] || continue
  mkdir -p "$STOCK_OUT"
  mv "$f" "$STOCK_OUT/"
  moved="$moved $(basename "$f" .xml)"
done
[ -z "$moved" ] || echo "已将自带示例分机（密码 1234）移出目录，放在 $STOCK_OUT：$moved"
(cd "$REPO" && node --import tsx ivr/freeswitch/generate-directory.ts ${HOTLINE_USERS_DB:+--db "$HOTLINE_USERS_DB"}) \
  > "$CONF/directory/default/hotline_agents.xml"
grep -q 'mod_callcenter' "$CONF/autoload_configs/modules.conf.xml" && \
  sed -i 's#<!-- *<load module="mod_callcenter"/> *-->#<load module="mod_callcenter"/>#' "$CONF/autoload_configs/modules.conf.xml"
# mod_db keeps what the fallback leaves for the app (messages, calls it took) across app and switch restarts.
if grep -q 'mod_db"' "$CONF/autoload_configs/modules.conf.xml"; then
  sed -i 's#<!-- *<load module="mod_db"/> *-->#<load module="mod_db"/>#' "$CONF/autoload_configs/modules.conf.xml"
else
  sed -i 's#</modules>#  <load module="mod_db"/>\n  </modules>#' "$CONF/autoload_configs/modules.conf.xml"
fi

mkdir -p "$SOUNDS/hotline" "$RECORDINGS/hotline"
cp "$REPO"/ivr/prompts/*.wav "$SOUNDS/hotline/"
# The queue's hold music is the hotline's own file (a source install has no music/ sounds, and
# mod_callcenter would then log an error on every frame and burn CPU).
echo "已安装。请设置 HOTLINE_ESL_PASSWORD 等环境变量后重启 FreeSWITCH（见 freeswitch-conf/README.md）。"
