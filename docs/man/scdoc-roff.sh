#!/bin/sh
# scdoc-roff.sh SCDOC INPUT OUTPUT: a manual page from its scdoc(5) source
# (docs/man/meson.build runs it), with two fixes to scdoc's roff:
# - scdoc puts `.nh` (no hyphenation) and `.ad l` (ragged right) before
#   `.TH`, whose macro turns hyphenation back on: option and variable names
#   would be split at line ends ("VIR-TIOFWD_CPU_MASK").  Moved after `.TH`.
# - scdoc leaves `-` as it is, a hyphen, after which groff may break a line
#   ("--pci-" / "addr=PCI").  In bold and italic text (options, commands,
#   paths, values) it becomes `\-`, which groff does not break after and
#   renders as the ASCII `-` (also what man pages should use for options).
set -eu
"$1" <"$2" >"$3.tmp"
sed -e '/^\.nh$/d' -e '/^\.ad l$/d' -e 's/^\.TH .*/&\n.nh\n.ad l/' \
	-e '/^\./b' -e ':a' -e 's/\(\\f[BI][^\\]*\)-/\1\\-/' -e 'ta' "$3.tmp" >"$3"
rm -f "$3.tmp"
