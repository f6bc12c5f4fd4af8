#!/bin/sh
# Installs hello-web on an image build VM. Runs as root (the inline script calls it with sudo).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
target=/opt/hello-web

# python3 is on every Azure Ubuntu image; install it elsewhere.
if ! command -v python3 >/dev/null 2>&1; then
  apt-get update -q && apt-get install -y -q python3
fi

mkdir -p "$target"
cp -R "$here/www" "$target/"
install -m 0755 "$here/serve.sh" "$target/serve.sh"
sed -i "s/@BUILT_AT@/$(date -u +%Y-%m-%dT%H:%M:%SZ)/" "$target/www/index.html"

id hello-web >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin hello-web
install -m 0644 "$here/hello-web.service" /etc/systemd/system/hello-web.service
systemctl daemon-reload
systemctl enable hello-web.service

echo "hello-web installed in $target; it starts on the next boot of VMs made from this image"
