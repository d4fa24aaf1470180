#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# meson install step: install-conf.sh SOURCE DEST puts the shipped
# configuration file at $DESTDIR/DEST, unless a file is already there: an
# operator's edited copy is never overwritten (`meson install` would).
set -eu
src=$1
dst=${DESTDIR:+$DESTDIR}$2
if [ -e "$dst" ] || [ -L "$dst" ]; then
	echo "install-conf: $dst exists: left as it is (the shipped one is $src)"
	exit 0
fi
mkdir -p "$(dirname "$dst")"
cp "$src" "$dst.tmp.$$"
chmod 644 "$dst.tmp.$$"
mv "$dst.tmp.$$" "$dst"
echo "install-conf: installed $dst"
