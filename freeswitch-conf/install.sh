#!/bin/sh
# Installs the 民声热线 overlay onto a stock FreeSWITCH 1.10 configuration.
#   freeswitch-conf/install.sh /etc/freeswitch /usr/share/freeswitch/sounds
# Needs HOTLINE_SIP_SECRET (≥ 16 characters) to generate the operators' phone directory.
set -eu
CONF=${1:?usage: install.sh CONF_DIR SOUNDS_DIR [RECORDINGS_DIR]}
SOUNDS=${2:?usage: install.sh CONF_DIR SOUNDS_DIR [RECORDINGS_DIR]}
RECORDINGS=${3:-/var/lib/freeswitch/recordings}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")

[ -f "$CONF/vars.xml" ] || { echo "不是 FreeSWITCH 配置目录：$CONF" >&2; exit 2; }
: "${HOTLINE_SIP_SECRET:?请设置 HOTLINE_SIP_SECRET（至少 16 个字符）}"

cp "$HERE/vars_hotline.xml" "$CONF/vars_hotline.xml"
grep -q 'vars_hotline.xml' "$CONF/vars.xml" || \
  sed -i 's#</include>#  <X-PRE-PROCESS cmd="include" data="vars_hotline.xml"/>\n</include>#' "$CONF/vars.xml"
cp "$HERE/autoload_configs/event_socket.conf.xml" "$CONF/autoload_configs/event_socket.conf.xml"
cp "$HERE/autoload_configs/callcenter.conf.xml" "$CONF/autoload_configs/callcenter.conf.xml"
cp "$HERE/dialplan/public/00_hotline.xml" "$CONF/dialplan/public/00_hotline.xml"
cp "$HERE/sip_profiles/external/carrier.xml" "$CONF/sip_profiles/external/carrier.xml"
(cd "$REPO" && node --import tsx ivr/freeswitch/generate-directory.ts ${HOTLINE_USERS_DB:+--db "$HOTLINE_USERS_DB"}) \
  > "$CONF/directory/default/hotline_agents.xml"
grep -q 'mod_callcenter' "$CONF/autoload_configs/modules.conf.xml" && \
  sed -i 's#<!-- *<load module="mod_callcenter"/> *-->#<load module="mod_callcenter"/>#' "$CONF/autoload_configs/modules.conf.xml"

mkdir -p "$SOUNDS/hotline" "$RECORDINGS/hotline"
cp "$REPO"/ivr/prompts/*.wav "$SOUNDS/hotline/"
echo "已安装。请设置 HOTLINE_ESL_PASSWORD 等环境变量后重启 FreeSWITCH（见 freeswitch-conf/README.md）。"
