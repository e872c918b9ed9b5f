#!/bin/sh
# Installs the 民声热线 overlay on a stock Asterisk 20/22.
# usage: HOTLINE_AMI_SECRET=… asterisk-conf/install.sh [--test] [/etc/asterisk] [/var/lib/asterisk/sounds] [/var/spool/asterisk/monitor]
#   --test   also the test dialplan and the test SIP phones (asterisk-conf/test/), for `npm run test:asterisk` only
# Optional: HOTLINE_AGI_LISTEN (default 127.0.0.1:4573, = the app's ASTERISK_AGI_LISTEN),
#           HOTLINE_NUMBER (default 12345), HOTLINE_TEST_SIP (default 127.0.0.1:5160, with --test).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
test_too=no
if [ "${1:-}" = "--test" ]; then test_too=yes; shift; fi
etc=${1:-/etc/asterisk}
sounds=${2:-/var/lib/asterisk/sounds}
monitor=${3:-/var/spool/asterisk/monitor}
agi=${HOTLINE_AGI_LISTEN:-127.0.0.1:4573}
number=${HOTLINE_NUMBER:-12345}

secret=${HOTLINE_AMI_SECRET:-}
case "$secret" in
  ''|amp111|mysecret|secret|password|admin) echo "请设置 HOTLINE_AMI_SECRET（至少 8 个字符，不能用示例中的默认值）" >&2; exit 1 ;;
esac
if [ "${#secret}" -lt 8 ]; then echo "HOTLINE_AMI_SECRET 至少 8 个字符" >&2; exit 1; fi
case "$secret" in *[!A-Za-z0-9._~+-]*) echo "HOTLINE_AMI_SECRET 只能包含字母、数字和 ._~+-" >&2; exit 1 ;; esac
case "$agi" in *[!0-9A-Za-z.:-]*|'') echo "HOTLINE_AGI_LISTEN 应为 主机:端口" >&2; exit 1 ;; esac
case "$number" in *[!0-9]*|'') echo "HOTLINE_NUMBER 只能是数字" >&2; exit 1 ;; esac
for d in "$sounds" "$monitor"; do
  case "$d" in /*) ;; *) echo "目录须为绝对路径：$d" >&2; exit 1 ;; esac
  case "$d" in *[!A-Za-z0-9/._-]*) echo "目录只能包含字母、数字和 /._-：$d" >&2; exit 1 ;; esac
done
[ -f "$etc/extensions.conf" ] || { echo "没有找到 $etc/extensions.conf：这是 Asterisk 的配置目录吗？" >&2; exit 1; }

# Appends `#include <file>` to a config file once.
include() { grep -q "^#include \"\{0,1\}$2\"\{0,1\}\$" "$etc/$1" 2>/dev/null || printf '\n#include %s\n' "$2" >> "$etc/$1"; }

install -m 0644 "$here/manager.conf" "$etc/manager.conf"
sed "s/@HOTLINE_AMI_SECRET@/$secret/" "$here/manager_hotline.conf" > "$etc/manager_hotline.conf"
chmod 0640 "$etc/manager_hotline.conf"
chown asterisk:asterisk "$etc/manager_hotline.conf" 2>/dev/null || true
install -m 0644 "$here/queues.conf" "$etc/queues.conf"
# The dialplan names the folders and the app's FastAGI address given here.
sed -e "s|@HOTLINE_PROMPTS@|$sounds/hotline|" -e "s|@HOTLINE_RECORDINGS@|$monitor/hotline|" \
    -e "s|@HOTLINE_AGI@|agi://$agi/hotline|" -e "s|@HOTLINE_NUMBER@|$number|" \
    "$here/extensions_hotline.conf" > "$etc/extensions_hotline.conf"
chmod 0644 "$etc/extensions_hotline.conf"
include extensions.conf extensions_hotline.conf

if [ "$test_too" = yes ]; then
  sip=${HOTLINE_TEST_SIP:-127.0.0.1:5160}
  case "$sip" in *[!0-9.:]*|'') echo "HOTLINE_TEST_SIP 应为 IP:端口" >&2; exit 1 ;; esac
  sed -e "s|@HOTLINE_PROMPTS@|$sounds/hotline|" -e "s|@HOTLINE_NUMBER@|$number|" "$here/test/extensions_hotline_test.conf" > "$etc/extensions_hotline_test.conf"
  sed -e "s|@HOTLINE_TEST_SIP@|$sip|" "$here/test/pjsip_hotline_test.conf" > "$etc/pjsip_hotline_test.conf"
  sed "s/@HOTLINE_AMI_SECRET@/$secret/" "$here/test/manager_hotline_test.conf" > "$etc/manager_hotline_test.conf"
  chmod 0640 "$etc/manager_hotline_test.conf"
  include extensions.conf extensions_hotline_test.conf
  include manager.conf manager_hotline_test.conf
  include pjsip.conf pjsip_hotline_test.conf
fi

mkdir -p "$sounds/hotline" "$sounds/hotline-moh" "$monitor/hotline"
cp "$here/../ivr/prompts/"*.wav "$sounds/hotline/"
# The hold music in a folder of its own: a music-on-hold class plays every file of its folder.
cp "$here/../ivr/prompts/hold_music.wav" "$sounds/hotline-moh/"
sed "s|@HOTLINE_MOH@|$sounds/hotline-moh|" "$here/musiconhold_hotline.conf" > "$etc/musiconhold_hotline.conf"
chmod 0644 "$etc/musiconhold_hotline.conf"
touch "$etc/musiconhold.conf"
include musiconhold.conf musiconhold_hotline.conf
chown -R asterisk:asterisk "$sounds/hotline" "$sounds/hotline-moh" "$monitor/hotline" 2>/dev/null || true
echo "已安装。请执行：asterisk -rx 'core reload'，然后用 'manager show user hotline'、'dialplan show hotline-inbound'、'moh show classes' 和 'queue show hotline' 检查。"
