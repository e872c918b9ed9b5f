#!/bin/sh
# Installs the 民声热线 overlay on a stock Asterisk 20/22.
# usage: HOTLINE_AMI_SECRET=… asterisk-conf/install.sh [/etc/asterisk] [/var/lib/asterisk/sounds] [/var/spool/asterisk/monitor]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
etc=${1:-/etc/asterisk}
sounds=${2:-/var/lib/asterisk/sounds}
monitor=${3:-/var/spool/asterisk/monitor}

secret=${HOTLINE_AMI_SECRET:-}
case "$secret" in
  ''|amp111|mysecret|secret|password|admin) echo "请设置 HOTLINE_AMI_SECRET（至少 8 个字符，不能用示例中的默认值）" >&2; exit 1 ;;
esac
if [ "${#secret}" -lt 8 ]; then echo "HOTLINE_AMI_SECRET 至少 8 个字符" >&2; exit 1; fi
case "$secret" in *[!A-Za-z0-9._~+-]*) echo "HOTLINE_AMI_SECRET 只能包含字母、数字和 ._~+-" >&2; exit 1 ;; esac

install -m 0644 "$here/manager.conf" "$etc/manager.conf"
sed "s/@HOTLINE_AMI_SECRET@/$secret/" "$here/manager_hotline.conf" > "$etc/manager_hotline.conf"
chmod 0640 "$etc/manager_hotline.conf"
chown asterisk:asterisk "$etc/manager_hotline.conf" 2>/dev/null || true
install -m 0644 "$here/queues.conf" "$etc/queues.conf"
install -m 0644 "$here/extensions_hotline.conf" "$etc/extensions_hotline.conf"
grep -q '^#include extensions_hotline.conf' "$etc/extensions.conf" 2>/dev/null || echo '#include extensions_hotline.conf' >> "$etc/extensions.conf"

mkdir -p "$sounds/hotline" "$monitor/hotline"
cp "$here/../ivr/prompts/"*.wav "$sounds/hotline/"
chown -R asterisk:asterisk "$sounds/hotline" "$monitor/hotline" 2>/dev/null || true
echo "已安装。请执行：asterisk -rx 'core reload'，然后用 'manager show user hotline' 和 'queue show hotline' 检查。"
